import { describe, expect, it } from 'vitest';
import { MAX_WORD_LENGTH, searchText, searchWords } from './search-words.js';

describe('searchWords', () => {
  it('keeps combining marks inside words', () => {
    expect(searchWords('मुझे दान चाहिए, दिन?')).toEqual(['मुझे', 'दान', 'चाहिए', 'दिन']);
    expect(searchWords('கடல் கடை')).toEqual(['கடல்', 'கடை']);
    expect(searchWords('আমার দান')).toEqual(['আমার', 'দান']);
  });

  it('separates at everything that is not a letter, mark or digit', () => {
    expect(searchWords("Don't mail user@example.com re: order_id v1.2.3 (12,50 €)")).toEqual([
      'don',
      't',
      'mail',
      'user',
      'example',
      'com',
      're',
      'order',
      'id',
      'v1',
      '2',
      '3',
      '12',
      '50',
    ]);
    // A zero-width space marks a word break (Thai, Khmer); it separates like a space.
    expect(searchWords('ขอ\u200Bคืนเงิน')).toEqual(['ขอ', 'คืนเงิน']);
  });

  it('folds case, compatibility forms and accents on Latin letters only', () => {
    expect(searchWords('CAFÉ Naïve Việt İstanbul ＡＢＣ ﬁle')).toEqual(['cafe', 'naive', 'viet', 'istanbul', 'abc', 'file']);
    expect(searchWords('cafe\u0301')).toEqual(['cafe']);
    // Greek and Cyrillic marks, and letters that do not decompose, stay.
    expect(searchWords('Σοφία йод øre Straße')).toEqual(['σοφία', 'йод', 'øre', 'straße']);
  });

  it('drops invisible joiners inside a word', () => {
    expect(searchWords('می\u200Cخواهم')).toEqual(['میخواهم']);
    expect(searchWords('co\u00ADoperate')).toEqual(['cooperate']);
  });

  it('cuts long words by code points, the same for a text and for a query', () => {
    const long = '𠀀'.repeat(MAX_WORD_LENGTH + 10);
    const [word] = searchWords(long);
    expect([...word!]).toHaveLength(MAX_WORD_LENGTH);
    expect(searchWords(word!)).toEqual([word]);
  });

  it('is stable: the words of the words are the words', () => {
    const text = 'Café मुझे दान கடல் ขอคืนเงิน 我想退款 user@example.com İ ①';
    expect(searchText(searchText(text))).toBe(searchText(text));
    expect(searchText('  ,;  ')).toBe('');
  });
});
