import { FinError } from '../errors.js';

/** Opaque page cursors: base64url JSON, so callers cannot depend on what is inside. */
export function encodeCursor(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor<T extends Record<string, string>>(cursor: string, keys: readonly (keyof T & string)[]): T {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (keys.every((key) => typeof value[key] === 'string')) return value as T;
  } catch {
    // Falls through to the error below.
  }
  throw new FinError('bad_request', 'invalid_cursor', 'The cursor is not one this API gave out.', '/cursor');
}
