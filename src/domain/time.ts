import { unprocessable } from './errors.js';

/**
 * A timestamp from Fin, normalized to ISO 8601 UTC with milliseconds. The schema has already
 * checked the RFC 3339 form; this catches what the form allows but a clock does not (a leap
 * second, a year past 9999 after the offset is applied), and times before 1970, which no message
 * has and not every database can store (PostgreSQL has no year 0).
 */
export function normalizeTimestamp(value: string, pointer: string): string {
  const time = new Date(value);
  const year = time.getUTCFullYear();
  if (Number.isNaN(time.getTime()) || year < 1970 || year > 9999) {
    throw unprocessable('invalid_timestamp', `${JSON.stringify(value)} is not a usable point in time.`, pointer);
  }
  return time.toISOString();
}
