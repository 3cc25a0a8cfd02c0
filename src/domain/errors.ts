/**
 * Why a request was refused, in domain terms. The HTTP edge maps each kind to a status code and a
 * problem object; the domain never speaks HTTP.
 */
import type { Message } from './model.js';

export type FinErrorKind =
  /** The request itself is malformed in a way the schema cannot see, e.g. a forged cursor (400). */
  | 'bad_request'
  /** The addressed object does not exist (404). */
  | 'not_found'
  /** Well-formed but invalid: empty message, non-HTTPS attachment, unknown agent… (422). */
  | 'unprocessable'
  /** Who is asking may not do this (403). */
  | 'forbidden'
  /** Not signed in, or the credentials are not (or no longer) valid (401). */
  | 'unauthenticated'
  /** It clashes with the current state: an email in use, the last admin… (409). */
  | 'conflict'
  /** It existed but is no longer available: an expired file link (410). */
  | 'gone';

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

export const notFound = (what: 'user' | 'conversation' | 'agent' | 'token' | 'client' | 'delivery' | 'canned_reply' | 'file' | 'connection', id: string) =>
  new FinError('not_found', `${what}_not_found`, `No ${what.replace('_', ' ')} has the id ${JSON.stringify(id)}.`);

export const unprocessable = (code: string, message: string, pointer?: string) => new FinError('unprocessable', code, message, pointer);

export const forbidden = (message: string) => new FinError('forbidden', 'forbidden', message);

export const conflict = (code: string, message: string, pointer?: string) => new FinError('conflict', code, message, pointer);

/**
 * 409 `conversation_replied`: someone else replied since the message the agent last saw
 * (`last_seen_message_id`), so the reply was not sent. `messages`: everything written since, oldest
 * first, which the edge answers as the problem's `messages` member; sending again with the newest
 * id confirms (issue 12, item 3).
 */
export class ConversationRepliedError extends FinError {
  constructor(readonly messages: Message[]) {
    super('conflict', 'conversation_replied', 'Someone else replied since the message you last saw; read the newer messages, then send again to confirm.');
    this.name = 'ConversationRepliedError';
  }
}
