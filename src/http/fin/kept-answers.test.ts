import { describe, expect, it } from 'vitest';
import { answerKey } from './kept-answers.js';

describe('answerKey', () => {
  it('gives two different inputs two different keys, whatever characters the ids hold', () => {
    // Ids are any non-empty strings: a separator inside one must not make it look like another input.
    const pairs: [Record<string, string>, Record<string, string>][] = [
      [{ conversation_id: 'a\nb' }, { conversation_id: 'a', after_id: 'b' }],
      [
        { conversation_id: 'a\nb', after_id: '' },
        { conversation_id: 'a', after_id: 'b\n' },
      ],
      [{ conversation_id: 'a","b' }, { conversation_id: 'a', after_id: 'b' }],
      [{ conversation_id: 'a\\' }, { conversation_id: 'a', after_id: '\\' }],
    ];
    for (const [one, other] of pairs) {
      expect(answerKey('get_messages', 'rest', one)).not.toBe(answerKey('get_messages', 'rest', other));
    }
    expect(answerKey('get_messages', 'rest', { conversation_id: 'a' })).not.toBe(answerKey('get_messages', 'post', { conversation_id: 'a' }));
    expect(answerKey('get_messages', 'rest', { conversation_id: 'a' })).not.toBe(answerKey('get_conversation', 'rest', { conversation_id: 'a' }));
  });

  it('gives one key to inputs the operation reads alike', () => {
    // get_messages: an absent, null or empty after_id all mean every message.
    const every = answerKey('get_messages', 'post', { conversation_id: 'c' });
    expect(answerKey('get_messages', 'post', { conversation_id: 'c', after_id: null })).toBe(every);
    expect(answerKey('get_messages', 'post', { conversation_id: 'c', after_id: '' })).toBe(every);
    // get_conversation does not read after_id.
    expect(answerKey('get_conversation', 'post', { conversation_id: 'c', after_id: 'm' })).toBe(
      answerKey('get_conversation', 'post', { conversation_id: 'c' }),
    );
  });

  it('keeps nothing for other operations', () => {
    expect(answerKey('create_message', 'post', { conversation_id: 'c' })).toBeUndefined();
    expect(answerKey('get_user', 'rest', { user_id: 'u' })).toBeUndefined();
  });
});
