import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, readCursor } from './cursor.js';

/** The list the refused cursors below are read for. */
const LIST = 'activity:conv_01';

describe('the one cursor codec', () => {
  it('gives back the position it was given, for any keys', () => {
    const queue = { at: '2025-10-27T14:30:00.123Z', id: 'conv_01' };
    const log = { created_at: '2025-10-27T14:30:00.123Z', id: 'whd_01' };
    expect(decodeCursor(encodeCursor('queue:all:default', queue), 'queue:all:default', ['at', 'id'])).toEqual(queue);
    expect(readCursor(encodeCursor('deliveries', log), 'deliveries', ['created_at', 'id'])).toEqual(log);
    expect(encodeCursor('queue:all:default', queue)).toMatch(/^[\w-]+$/);
  });

  it('takes the first and last times Finch writes', () => {
    for (const at of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'])
      expect(readCursor(encodeCursor(LIST, { at, id: 'b' }), LIST, ['at', 'id'])).toEqual({ at, id: 'b' });
  });

  it("reads the due order's flag", () => {
    const due = { at: '2025-10-27T14:30:00.123Z', id: 'conv_01', due: '1' };
    expect(decodeCursor(encodeCursor('queue:mine:due', due), 'queue:mine:due', ['at', 'id', 'due'])).toEqual(due);
  });

  it.each([
    ['not base64url JSON', '%%%'],
    ['JSON that is not an object', Buffer.from('"at"').toString('base64url')],
    ['null', Buffer.from('null').toString('base64url')],
    ['an array', Buffer.from('["2025-10-27T14:30:00.123Z","b"]').toString('base64url')],
    ['a missing key', encodeCursor(LIST, { at: '2025-10-27T14:30:00.123Z' })],
    ['a key that is not a string', Buffer.from(JSON.stringify({ of: LIST, at: '2025-10-27T14:30:00.123Z', id: 1 })).toString('base64url')],
    ['a key more than asked for', encodeCursor(LIST, { at: '2025-10-27T14:30:00.123Z', id: 'b', due: '1' })],
    ["another list's keys", encodeCursor(LIST, { created_at: '2025-10-27T14:30:00.123Z', id: 'b' })],
    ["another conversation's list", encodeCursor('activity:conv_other', { at: '2025-10-27T14:30:00.123Z', id: 'b' })],
    ['another kind of list with the same keys', encodeCursor('queue:all:default', { at: '2025-10-27T14:30:00.123Z', id: 'b' })],
    ['no list named (a cursor of an older Finch)', Buffer.from(JSON.stringify({ at: '2025-10-27T14:30:00.123Z', id: 'b' })).toString('base64url')],
    ['a list that is not a string', Buffer.from(JSON.stringify({ of: 1, at: '2025-10-27T14:30:00.123Z', id: 'b' })).toString('base64url')],
    ['a time that is not one', encodeCursor(LIST, { at: 'garbage', id: 'b' })],
    ['a time out of range', encodeCursor(LIST, { at: '9999-99-99T99:99:99Z', id: 'b' })],
    ['a time Finch does not write (no milliseconds)', encodeCursor(LIST, { at: '2025-10-27T14:30:00Z', id: 'b' })],
    ['a time with an offset', encodeCursor(LIST, { at: '2025-10-27T16:30:00.000+02:00', id: 'b' })],
    ['an empty id', encodeCursor(LIST, { at: '2025-10-27T14:30:00.123Z', id: '' })],
    // Times JavaScript writes but no database column holds (PostgreSQL refused them with a 500).
    ['the year 0', encodeCursor(LIST, { at: '0000-01-01T00:00:00.000Z', id: 'b' })],
    ['a year before 0', encodeCursor(LIST, { at: '-000001-01-01T00:00:00.000Z', id: 'b' })],
    ['a six-digit year', encodeCursor(LIST, { at: '+010000-01-01T00:00:00.000Z', id: 'b' })],
    ['the last time JavaScript has', encodeCursor(LIST, { at: '+275760-09-13T00:00:00.000Z', id: 'b' })],
  ])('refuses %s: undefined, or 400 invalid_cursor at /cursor', (_label, cursor) => {
    expect(readCursor(cursor, LIST, ['at', 'id'])).toBeUndefined();
    expect(() => decodeCursor(cursor, LIST, ['at', 'id'])).toThrow(
      expect.objectContaining({ kind: 'bad_request', code: 'invalid_cursor', pointer: '/cursor' }),
    );
  });
});
