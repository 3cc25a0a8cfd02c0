/**
 * Opaque page cursors, the one codec of every paged list (the inbox's queues, the delivery log):
 * base64url of a JSON object of strings, so callers cannot depend on what is inside. A pure leaf:
 * the domain and the SQL stores both import it.
 */
import { FinError } from '../errors.js';

/** A position (sort key and tie-breaking id, as strings) as a cursor. */
export function encodeCursor<K extends string>(position: Readonly<Record<K, string>>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position in `cursor`, or undefined unless it decodes to an object with a string at each of `keys`. */
export function readCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, string> | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const fields = value as Record<string, unknown>;
    if (!keys.every((key) => typeof fields[key] === 'string')) return undefined;
    return Object.fromEntries(keys.map((key) => [key, fields[key]])) as Record<K, string>;
  } catch {
    return undefined;
  }
}

/** `readCursor`, or `FinError` 400 `invalid_cursor` at /cursor when it is not a cursor this API gave out. */
export function decodeCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, string> {
  const position = readCursor(cursor, keys);
  if (!position) throw invalidCursor();
  return position;
}

/** `FinError` 400 `invalid_cursor` at /cursor: a cursor this API did not give out (or not for this order). */
export function invalidCursor(): FinError {
  return new FinError('bad_request', 'invalid_cursor', 'The cursor is not one this API gave out.', '/cursor');
}
