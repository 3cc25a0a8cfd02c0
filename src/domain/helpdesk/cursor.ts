/**
 * Opaque page cursors, the one codec of every paged list (the inbox's queues, the activity, the
 * delivery log): base64url of a JSON object of strings, so callers cannot depend on what is inside.
 * A pure leaf: the domain and the SQL stores both import it.
 *
 * Decoding is strict, so a cursor Finch did not give out is refused (400 `invalid_cursor`) instead
 * of silently restarting or emptying a page: the object names the list it came from (`of`: which
 * list, and where that matters which conversation, queue and order) and holds exactly the keys the
 * list asks for, each what Finch writes there (FIELDS). A cursor passed to another list (another
 * conversation's thread, a queue in the opposite order) would otherwise be read as a position there
 * and give a page of the wrong messages (docs/decisions.md, "Paging and validation").
 */
import { FinError } from '../errors.js';

/**
 * What each key of a position must be: `at`/`created_at` an ISO 8601 UTC time as Finch writes it
 * (`toISOString()`, so it survives a round trip; years 0001–9999), `id` an id (1..255 characters, no control
 * characters), `due` the due order's flag ('1': the time is a due time, '0': a waiting time).
 */
const FIELDS = {
  at: isFinchTime,
  created_at: isFinchTime,
  id: (value: string) => value.length > 0 && value.length <= 255 && !/\p{Cc}/u.test(value),
  due: (value: string) => value === '1' || value === '0',
} satisfies Record<string, (value: string) => boolean>;

/** The keys a cursor may hold. */
export type CursorField = keyof typeof FIELDS;

/**
 * Whether `value` is a time as `toISOString()` writes it, in the years 0001–9999: JavaScript also
 * writes year 0 and signed six-digit years, which no column of Finch's holds (PostgreSQL refuses
 * them). Also the replay range's rule (replay-dead-range.ts).
 */
export function isFinchTime(value: string): boolean {
  const ms = Date.parse(value);
  return /^\d{4}-/.test(value) && !value.startsWith('0000-') && Number.isFinite(ms) && new Date(ms).toISOString() === value;
}

/**
 * A position in `list` (sort key and tie-breaking id, as strings; keys of FIELDS) as a cursor.
 * `list` names the list for `readCursor` to check: `thread:<conversation id>`, `activity:<conversation
 * id>`, `queue:<queue>:<sort>`, `deliveries`.
 */
export function encodeCursor(list: string, position: Readonly<Partial<Record<CursorField, string>>>): string {
  return Buffer.from(JSON.stringify({ of: list, ...position })).toString('base64url');
}

/**
 * The position in `cursor`, or undefined unless it decodes to an object naming `list` (as
 * `encodeCursor` was given it) with exactly `keys` besides, each a string that FIELDS accepts.
 */
export function readCursor<K extends CursorField>(cursor: string, list: string, keys: readonly K[]): Record<K, string> | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const fields = value as Record<string, unknown>;
    if (fields.of !== list || Object.keys(fields).length !== keys.length + 1) return undefined;
    for (const key of keys) {
      const field = fields[key];
      if (typeof field !== 'string' || !FIELDS[key](field)) return undefined;
    }
    return Object.fromEntries(keys.map((key) => [key, fields[key]])) as Record<K, string>;
  } catch {
    return undefined;
  }
}

/**
 * `readCursor`, or `FinError` 400 `invalid_cursor` when it is not a cursor this API gave out for
 * `list`, at `pointer`: the parameter that carried it (`/cursor`, `/before`).
 */
export function decodeCursor<K extends CursorField>(cursor: string, list: string, keys: readonly K[], pointer = '/cursor'): Record<K, string> {
  const position = readCursor(cursor, list, keys);
  if (!position) throw invalidCursor(pointer);
  return position;
}

/** `FinError` 400 `invalid_cursor` at `pointer`: a cursor this API did not give out (or not for this order). */
export function invalidCursor(pointer = '/cursor'): FinError {
  return new FinError('bad_request', 'invalid_cursor', 'The cursor is not one this API gave out.', pointer);
}
