/**
 * Every error Finch answers becomes an RFC 9457 problem object (spec §6) with the right status
 * code. Bad input maps to 4xx; a database that cannot serve right now to 503 with `Retry-After`
 * (the request may simply be sent again); anything unexpected is a 500 whose details go to the
 * log, never to the caller.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyRequest } from 'fastify';
import type { Problem } from '../contract/problem.js';
import type { MessageView } from '../contract/agent-api.js';
import { ConversationRepliedError, FinError } from '../domain/errors.js';
import { DatabaseUnavailableError } from '../store/port.js';
import { presentMessage } from './v1/presenters.js';

/** An error the HTTP edge raises on purpose, with the status and code it should answer with. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly extras: { errors?: Problem['errors']; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export interface ProblemReply {
  /** With `messages` for 409 `conversation_replied`: the messages written since the one the agent last saw. */
  problem: Problem & { messages?: MessageView[] };
  headers: Record<string, string>;
}

const FIN_ERROR_STATUS = { bad_request: 400, not_found: 404, unprocessable: 422, forbidden: 403, unauthenticated: 401, conflict: 409, gone: 410 } as const;

/** Fastify's own errors for bad requests, by code. */
const FRAMEWORK_ERRORS: Record<string, { status: number; code: string; detail?: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', detail: 'Send the body as application/json.' },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, code: 'unsupported_media_type', detail: 'Send the body as application/json.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', detail: 'The body is empty.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_BAD_URL: { status: 400, code: 'bad_url', detail: 'The URL is malformed.' },
  FST_ERR_CTP_INVALID_CHARSET: { status: 415, code: 'unsupported_charset', detail: 'Send the body as UTF-8.' },
};

export function problem(status: number, code: string, detail: string | undefined, request: FastifyRequest): Problem {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    ...(detail === undefined ? {} : { detail }),
    instance: request.url.split('?')[0] ?? request.url,
    code,
    request_id: String(request.id),
  };
}

export function problemFromError(error: unknown, request: FastifyRequest): ProblemReply {
  if (error instanceof HttpProblem) {
    const body = problem(error.status, error.code, error.message, request);
    if (error.extras.errors) body.errors = error.extras.errors;
    return { problem: body, headers: error.extras.headers ?? {} };
  }
  if (error instanceof FinError) {
    const body: ProblemReply['problem'] = problem(FIN_ERROR_STATUS[error.kind], error.code, error.message, request);
    if (error instanceof ConversationRepliedError) body.messages = error.messages.map(presentMessage);
    if (error.pointer !== undefined) body.errors = [{ pointer: error.pointer, detail: error.message }];
    return { problem: body, headers: {} };
  }
  if (error instanceof DatabaseUnavailableError) {
    // Expected while the database restarts or its disk is full: one line, no stack trace.
    request.log.warn(`request refused: ${error.message}`);
    const body = problem(503, 'database_unavailable', `The database is unavailable right now; try again in ${error.retryAfterSeconds} s.`, request);
    return { problem: body, headers: { 'retry-after': String(error.retryAfterSeconds) } };
  }
  const fastifyError = error as Partial<FastifyError> & { validation?: ValidationIssue[]; validationContext?: string };
  if (fastifyError.validation) return { problem: validationProblem(fastifyError, request), headers: {} };
  const known = fastifyError.code ? FRAMEWORK_ERRORS[fastifyError.code] : undefined;
  if (known) return { problem: problem(known.status, known.code, known.detail ?? fastifyError.message, request), headers: {} };
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return { problem: problem(status, fastifyError.code?.toLowerCase() ?? 'bad_request', fastifyError.message, request), headers: {} };
  }
  request.log.error({ err: error }, 'request failed');
  return { problem: problem(500, 'internal_error', 'Something went wrong on our side; it has been logged.', request), headers: {} };
}

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** A schema validation failure as a 400 listing each offending input by JSON pointer. */
function validationProblem(error: { validation?: ValidationIssue[]; validationContext?: string }, request: FastifyRequest): Problem {
  const where = { querystring: 'query string', params: 'path', headers: 'headers' }[error.validationContext ?? ''] ?? 'body';
  const errors = describeIssues(error.validation ?? []);
  const body = problem(400, 'validation_failed', `The ${where} is invalid: ${errors.map((e) => e.detail).join('; ')}.`, request);
  body.errors = errors;
  return body;
}

/**
 * One line per offending input. A nullable field that gets the wrong type fails each branch of
 * its `anyOf` separately; those are folded into one "must be string or null".
 */
function describeIssues(issues: readonly ValidationIssue[]): { pointer: string; detail: string }[] {
  const unions = new Set(issues.filter((issue) => issue.keyword === 'anyOf').map((issue) => issue.instancePath));
  const described = new Map<string, string>();
  for (const issue of issues) {
    if (issue.keyword === 'required') {
      const pointer = `${issue.instancePath}/${String(issue.params.missingProperty)}`;
      described.set(pointer, `${pointer.slice(1)} is required`);
    } else if (unions.has(issue.instancePath)) {
      if (described.has(issue.instancePath)) continue;
      // When the trouble is deeper (an item of a nullable array), the deeper issue says it.
      if (issues.some((other) => other.instancePath.startsWith(`${issue.instancePath}/`))) continue;
      const atPath = issues.filter((other) => other.instancePath === issue.instancePath);
      const name = issue.instancePath.slice(1) || 'the value';
      // A branch that matched the type but broke a rule (too long, bad format) says the most.
      const specific = atPath.find((other) => !['type', 'const', 'anyOf'].includes(other.keyword));
      const expected = atPath
        .filter((other) => other.keyword === 'type' || other.keyword === 'const')
        .map((other) => (other.keyword === 'type' ? String(other.params.type) : JSON.stringify(other.params.allowedValue)));
      described.set(issue.instancePath, specific ? `${name} ${specific.message ?? 'is invalid'}` : `${name} must be ${[...new Set(expected)].join(' or ')}`);
    } else if (!described.has(issue.instancePath)) {
      // Nullable fields are type lists: "must be string,null" reads better as "string or null".
      const message = issue.keyword === 'type' ? `must be ${String(issue.params.type).split(',').join(' or ')}` : (issue.message ?? 'is invalid');
      described.set(issue.instancePath, `${issue.instancePath.slice(1) || 'the value'} ${message}`);
    }
  }
  return [...described].map(([pointer, detail]) => ({ pointer, detail }));
}
