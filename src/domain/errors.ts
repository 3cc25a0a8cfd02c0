/**
 * Why a request was refused, in domain terms. The HTTP edge maps each kind to a status code and a
 * problem object; the domain never speaks HTTP.
 */
export type FinErrorKind =
  /** The addressed object does not exist (404). */
  | 'not_found'
  /** Well-formed but invalid: empty message, non-HTTPS attachment, unknown agent… (422). */
  | 'unprocessable';

export class FinError extends Error {
  constructor(
    readonly kind: FinErrorKind,
    /** Stable machine-readable code, e.g. `conversation_not_found`. */
    readonly code: string,
    message: string,
    /** JSON pointer to the offending input, when there is one. */
    readonly pointer?: string,
  ) {
    super(message);
    this.name = 'FinError';
  }
}

export const notFound = (what: 'user' | 'conversation', id: string) =>
  new FinError('not_found', `${what}_not_found`, `No ${what} has the id ${JSON.stringify(id)}.`);

export const unprocessable = (code: string, message: string, pointer?: string) =>
  new FinError('unprocessable', code, message, pointer);
