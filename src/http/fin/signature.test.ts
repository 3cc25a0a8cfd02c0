import { describe, expect, it } from 'vitest';
import { queryForms } from './signature.js';

describe('queryForms', () => {
  it('sorts parameters by key and offers the decoded, encoded and as-sent forms', () => {
    expect(queryForms('/api/fin/messages?conversation_id=conv_1&after_id=msg%201')).toEqual([
      'after_id=msg 1&conversation_id=conv_1',
      'after_id=msg%201&conversation_id=conv_1',
    ]);
  });

  it('gives the empty string for a request without a query', () => {
    expect(queryForms('/api/fin/agents')).toEqual(['']);
    expect(queryForms('/api/fin/agents?')).toEqual(['']);
  });

  it('keeps repeated keys in a stable order', () => {
    expect(queryForms('/x?b=2&a=2&a=1')[0]).toBe('a=1&a=2&b=2');
  });
});
