import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, readCursor } from './cursor.js';

describe('the one cursor codec', () => {
  it('gives back the position it was given, for any keys', () => {
    const queue = { at: '2025-10-27T14:30:00.123Z', id: 'conv_01' };
    const log = { created_at: '2025-10-27T14:30:00.123Z', id: 'whd_01' };
    expect(decodeCursor(encodeCursor(queue), ['at', 'id'])).toEqual(queue);
    expect(readCursor(encodeCursor(log), ['created_at', 'id'])).toEqual(log);
    expect(encodeCursor(queue)).toMatch(/^[\w-]+$/);
  });

  it('keeps only the keys asked for', () => {
    expect(readCursor(encodeCursor({ at: 'a', id: 'b', extra: 'c' }), ['at', 'id'])).toEqual({ at: 'a', id: 'b' });
  });

  it.each([
    ['not base64url JSON', '%%%'],
    ['JSON that is not an object', Buffer.from('"at"').toString('base64url')],
    ['null', Buffer.from('null').toString('base64url')],
    ['a missing key', encodeCursor({ at: 'a' })],
    ['a key that is not a string', Buffer.from(JSON.stringify({ at: 1, id: 'b' })).toString('base64url')],
    ["another list's cursor", encodeCursor({ created_at: 'a', id: 'b' })],
  ])('refuses %s: undefined, or 400 invalid_cursor at /cursor', (_label, cursor) => {
    expect(readCursor(cursor, ['at', 'id'])).toBeUndefined();
    expect(() => decodeCursor(cursor, ['at', 'id'])).toThrow(expect.objectContaining({ kind: 'bad_request', code: 'invalid_cursor', pointer: '/cursor' }));
  });
});
