/**
 * What a span may carry of a request's URL. Spans go to a trace store, often another team's or a
 * vendor's, kept for weeks: they carry less than a log line. A log line keeps an end user's id or a
 * search's words in a query (`/api/fin/user?user_id=pat@example.com`); a span keeps only the values
 * of the parameters below, Finch's own ids and bounded options, and shows every other value as
 * `[redacted]` (the logs' censor), after the logs' own rules (`loggableUrl`: a signed link without
 * its query, secret-looking values censored). Loads nothing of the SDK.
 */

import { censorQueryValues } from '../lib/query-values.js';

/** Query parameters whose values a span keeps: ids Finch makes, and options from a short list. */
const KEPT_PARAMETERS = new Set(['conversation_id', 'after_id', 'event_id', 'cursor', 'limit', 'status', 'queue', 'sort', 'outcome', 'tag']);
const CENSOR = '[redacted]';

/** The path of a request target, without its query (OpenTelemetry's `url.path`). */
export function traceablePath(url: string): string {
  const mark = url.indexOf('?');
  return mark === -1 ? url : url.slice(0, mark);
}

/**
 * The query of a request target as a span records it (`url.query`, without the `?`), or undefined
 * when there is none. `loggableUrl` is src/http/logging.ts's (passed in: telemetry does not import
 * the HTTP edge). Example: `/api/fin/user?user_id=pat%40example.com&limit=5` → `user_id=[redacted]&limit=5`.
 */
export function traceableQuery(url: string, loggableUrl: (url: string) => string): string | undefined {
  const shown = loggableUrl(url);
  const mark = shown.indexOf('?');
  if (mark === -1) return undefined;
  // A malformed name is no kept name: its value is censored.
  return censorQueryValues(shown.slice(mark + 1), (name) => !KEPT_PARAMETERS.has(name), CENSOR);
}

/**
 * A `pg` query span's name: `pg.query:<SQL command> <database>` (`pg.query:SELECT finch`). The
 * instrumentation names a span after the prepared statement's name when there is one, and Finch's
 * statement names are hashes (`finch_f1900dafbd63d98a3479`): a trace view of hashes. The statement
 * itself stays in `db.query.text`, with placeholders.
 */
export function pgSpanName(text: string | undefined, database: string | undefined): string {
  const command = (text ?? '').trim().split(/\s/, 1)[0]!.replace(/;$/, '').toUpperCase();
  return `pg.query:${/^[A-Z]+$/.test(command) ? command : 'unknown'}${database ? ` ${database}` : ''}`;
}

/** The part of a span `withoutErrorMessages` changes (@opentelemetry/api's `Span` has it). */
interface StatusSetter {
  setStatus(status: { code: number; message?: string }): unknown;
}

/**
 * Makes `span` keep an error status's code and drop its message. @fastify/otel sets a failed
 * request's status message to the thrown error's message, and Finch's messages quote what the
 * caller sent (`No user has the id "pat@example.com".`): the log line has it, scrubbed; the span
 * keeps that it failed, and the trace id leads to the line. (The same rule as the Fin operation
 * span's `error.type`: a class, never a message.)
 */
export function withoutErrorMessages(span: StatusSetter): void {
  const setStatus = span.setStatus.bind(span);
  span.setStatus = (status) => setStatus({ code: status.code });
}
