/**
 * Finch's log lines (pino, JSON on standard output) never carry a secret. Three layers, because a
 * secret can reach a line in three ways:
 *
 * - headers: the credentials headers are censored by path (`REDACTED_PATHS`);
 * - request URLs: the `req` serializer logs a signed file URL (`/files/…?expires=&signature=`,
 *   a download permission for days) without its query, and any other URL with the values of
 *   secret-looking query parameters censored;
 * - anything else (an error message quoting a URL, a token in a message): every line is scrubbed
 *   before it is written, of secret-looking query values, passwords in URLs
 *   (`postgres://user:…@host`) and Finch's own secrets, recognizable by their prefixes.
 *
 * When the process traces (src/telemetry/), every line written inside a span also carries its
 * `trace_id` and `span_id`.
 */
import type { LoggerOptions } from 'pino';
import { censorQueryValues } from '../lib/query-values.js';
import { activeTraceIds } from '../telemetry/spans.js';

export const CENSOR = '[redacted]';

/** Header values that must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-fin-signature"]',
  'req.headers["x-webhook-key"]',
  'res.headers["set-cookie"]',
];

/** Query parameters whose values are secrets (or, like a signed URL's, permissions). */
const SECRET_PARAMETER = /^(?:[\w.-]*(?:signature|sig|token|secret|password|passwd|key|code|auth|credential)[\w.-]*)$/i;
/** The same, inside any text: `?signature=…`, `&access_token=…`. */
const SECRET_QUERY_VALUE = /([?&](?:[\w.-]*(?:signature|sig|token|secret|password|passwd|key|code|auth|credential)[\w.-]*)=)[^&#\s"\\]+/gi;
/** A password in a URL's user information: `scheme://user:password@host`. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/\s"@:]*:)[^@\s"/]+@/gi;
/**
 * Finch's secrets by their prefixes (src/domain/auth/secrets.ts, sessions.ts): client secrets,
 * access tokens, personal API tokens, session tokens.
 */
const FINCH_SECRET = /\b(fcs|fat|fpt|fss)_[A-Za-z0-9_-]{16,}/g;

/** `text` without the secrets a log line can pick up by accident. */
export function scrubSecrets(text: string): string {
  return text.replace(SECRET_QUERY_VALUE, `$1${CENSOR}`).replace(URL_PASSWORD, `$1${CENSOR}@`).replace(FINCH_SECRET, `$1_${CENSOR}`);
}

/**
 * A request URL as it may be logged: a signed file URL without its query (the signature is the
 * permission to download), any other with the values of secret-looking parameters censored.
 */
export function loggableUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const path = url.slice(0, mark);
  if (path.startsWith('/files/')) return `${path}?${CENSOR}`;
  const query = censorQueryValues(url.slice(mark + 1), (name) => SECRET_PARAMETER.test(name), CENSOR);
  return `${path}?${query}`;
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** What Fastify logs of a request ("incoming request"), with the URL made loggable. */
export function serializeRequest(request: LoggedRequest) {
  return {
    method: request.method,
    url: loggableUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Pino settings for every Finch logger: the server's, the worker's, the emulator's. */
export function finchLoggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: CENSOR },
    serializers: { req: serializeRequest },
    hooks: { streamWrite: scrubSecrets },
    // The active span's ids (`trace_id`, `span_id`) on every line written while a request (or a
    // delivery) is traced, to go from a log line to its trace; nothing when tracing is off.
    mixin: activeTraceIds,
  };
}
