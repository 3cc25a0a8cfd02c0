/**
 * The Fin Custom Helpdesk API as a Fastify plugin: both variants (spec §2) over any `FinStore`.
 *
 *   await app.register(finApi, { prefix: '/api/fin', store, authenticate });
 *
 * The plugin is encapsulated: its JSON parser, validation, authentication and error format apply
 * to its own routes only, so it can be mounted in an existing Fastify application.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import { VARIANTS, type Variant } from '../../contract/models.js';
import { OPERATIONS, outputSchema, type Operation } from '../../contract/operations.js';
import { ErrorEnvelope, PROBLEM_CONTENT_TYPE, Problem, SuccessEnvelope } from '../../contract/problem.js';
import type { FinContext } from '../../domain/context.js';
import type { AddressList } from '../../lib/network-rule.js';
import type { FinStore } from '../../store/port.js';
import type { SignatureReportStore } from '../../store/signature-report-port.js';
import { type Span, SpanKind, SpanStatusCode, finchTracer, withActiveSpan } from '../../telemetry/spans.js';
import { allowClientsIn } from '../client-address.js';
import { refuseUnstorableText, useJsonBodies } from '../json-body.js';
import { HttpProblem, problemFromError } from '../problem.js';
import { validatorCompiler } from '../validation.js';
import { requireFin, type Authenticate } from './auth.js';
import { HANDLERS } from './handlers.js';
import { answerKey, keptAnswers, type KeptAnswers } from './kept-answers.js';
import { signatureChecks } from './signature-checks.js';
import type { SigningOptions } from './signature.js';

export interface FinApiOptions {
  store: FinStore;
  /** Decides whether a bearer token may call the Fin API. */
  authenticate: Authenticate;
  /** When set, every request must carry a valid X-Fin-Signature (or, in report mode, its mismatches are reported). */
  signing?: SigningOptions | undefined;
  /** Where report mode counts mismatches; this process's memory when absent. */
  signatureReport?: SignatureReportStore | undefined;
  /** When set, only clients at these addresses may call (403 otherwise): FINCH_FIN_ALLOWED_IPS. */
  allowedClients?: AddressList | undefined;
  /** Largest accepted body, in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Which variants to serve. Default both. */
  variants?: readonly Variant[];
  /** The clock (tests set it). */
  now?: () => Date;
  /** Records the activity Fin's requests cause (Finch's SQL helpdesk); nothing is recorded when absent. */
  recordActivity?: FinContext['recordActivity'];
}

const ALL_METHODS: HTTPMethods[] = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'];

export const finApi: FastifyPluginAsync<FinApiOptions> = async (app, options) => {
  const now = options.now ?? (() => new Date());
  const ctx: FinContext = { store: options.store, now, recordActivity: options.recordActivity };
  const signing = options.signing;

  const checks = signing && signatureChecks(signing, options.signatureReport, now);
  const kept = keptAnswers(options.store);

  app.setValidatorCompiler(validatorCompiler);
  useJsonBodies(app, { bodyLimit: options.bodyLimit ?? 1_048_576, ...(checks ? { check: checks.check } : {}) });
  // First of the hooks, so a request refused at the door (403, 401, a bad signature) has its span too.
  traceOperations(app);
  // Before the token is looked at: an address that may not call learns nothing else.
  if (options.allowedClients) app.addHook('onRequest', allowClientsIn(options.allowedClients, 'FINCH_FIN_ALLOWED_IPS'));
  app.addHook('onRequest', async (request) => {
    const version = await requireFin(request, options.authenticate);
    if (version !== undefined) SEEN_VERSIONS.set(request, version);
  });
  app.addHook('preValidation', refuseUnstorableText);
  if (checks) {
    // Requests with a body were checked by the parser, before their JSON was parsed.
    app.addHook('preValidation', async (request) => {
      if (request.rawBody === undefined) checks.check(request);
      await checks.report(request);
    });
    // A request refused after its signature was judged (a body that is not JSON) is counted all the same.
    app.addHook('onResponse', async (request) => checks.report(request));
  }
  app.setErrorHandler(async (error, request, reply) => sendProblem(reply, problemFromError(error, request), 'rest'));
  app.setNotFoundHandler(async (request) => {
    throw new HttpProblem(404, 'no_such_endpoint', `${request.method} ${request.url.split('?')[0]} is not an endpoint of the Fin API.`);
  });

  const variants = options.variants ?? VARIANTS;
  for (const variant of variants) {
    // Named: a plugin's name is its function's, and an anonymous one's is its source text, which
    // @fastify/otel records on every handler span (`hook.name`).
    await app.register(async function finVariant(scope) {
      scope.setErrorHandler(async (error, request, reply) => sendProblem(reply, problemFromError(error, request), variant));
      for (const operation of OPERATIONS) registerOperation(scope, operation, variant, ctx, kept);
    });
  }
  registerMethodNotAllowed(app, variants);
};

function registerOperation(app: FastifyInstance, operation: Operation, variant: Variant, ctx: FinContext, kept: KeptAnswers): void {
  const handler = HANDLERS[operation.name];
  const output = outputSchema(operation.output, variant);
  const tags = [variant === 'rest' ? 'Fin API: REST variant' : 'Fin API: POST-only variant'];
  const common = { summary: operation.summary, description: operation.description, tags, security: [{ bearer: [] }] };

  if (variant === 'rest') {
    const { method, path, status } = operation.rest;
    const problem = { description: 'A problem (RFC 9457)', content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } } };
    app.route({
      method,
      url: path,
      schema: {
        ...common,
        operationId: `rest_${operation.name}`,
        ...(method === 'GET' ? { querystring: operation.input } : { body: operation.input }),
        response: { [status]: output, '4xx': problem, '5xx': problem },
      },
      config: { finOperation: operation.name, finVariant: variant },
      ...(method === 'GET' ? {} : { preValidation: noBodyIsEmptyObject }),
      handler: async (request, reply) => {
        const input = method === 'GET' ? request.query : request.body;
        const key = answerKey(operation.name, variant, input);
        if (key !== undefined) return sendKept(request, reply.code(status), kept, key, input, async () => (await handler(ctx, input, 'rest')).payload);
        const result = await traced(request, input, () => handler(ctx, input, 'rest'));
        if (result.replayed) reply.header('idempotent-replayed', 'true');
        return reply.code(status).send(result.payload);
      },
    });
    return;
  }

  app.route({
    method: 'POST',
    url: operation.post.path,
    schema: {
      ...common,
      operationId: `post_${operation.name}`,
      body: operation.input,
      response: { 200: SuccessEnvelope(output), '4xx': ErrorEnvelope, '5xx': ErrorEnvelope },
    },
    config: { finOperation: operation.name, finVariant: variant },
    preValidation: noBodyIsEmptyObject,
    handler: async (request, reply) => {
      const key = answerKey(operation.name, variant, request.body);
      if (key !== undefined) {
        return sendKept(request, reply.code(200), kept, key, request.body, async () => ({
          data: (await handler(ctx, request.body, 'post')).payload,
          error: null,
        }));
      }
      const result = await traced(request, request.body, () => handler(ctx, request.body, 'post'));
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(200).send({ data: result.payload, error: null });
    },
  });
}

/**
 * Answers a read whose answer may be kept (kept-answers.ts): the kept JSON when nothing was
 * committed since it was made, else `body()`'s, serialized by the route's response schema for the
 * reply's status and kept. The version is read before the use case reads anything, so an answer is
 * never kept under a version older than what it shows. A kept answer is marked on the span
 * (`fin.answer`: `kept`).
 */
async function sendKept(
  request: FastifyRequest,
  reply: FastifyReply,
  kept: KeptAnswers,
  key: string,
  input: unknown,
  body: () => Promise<unknown>,
): Promise<FastifyReply> {
  const version = kept.current(SEEN_VERSIONS.get(request));
  const hit = kept.get(version, key);
  const json =
    hit ??
    (
      await traced(request, input, async () => {
        const serialized = String(reply.serialize(await body()));
        kept.set(version, key, serialized);
        return { payload: serialized };
      })
    ).payload;
  if (hit !== undefined) {
    const span = OPERATION_SPANS.get(request);
    span?.setAttribute('fin.answer', 'kept');
    if (span) noteConversation(span, input);
  }
  // A string with a JSON type is sent as it is: the schema's serializer made it.
  return reply.type(JSON_TYPE).send(json);
}

/** The store's version each request's token was read at, when authentication gave one. */
const SEEN_VERSIONS = new WeakMap<FastifyRequest, string>();

/** Fastify's own type for JSON answers, so kept answers carry the same header as the others. */
const JSON_TYPE = 'application/json; charset=utf-8';

/** What an operation's route says of itself, for its span (the 405 routes say nothing). */
interface OperationConfig {
  finOperation?: Operation['name'];
  finVariant?: Variant;
}

declare module 'fastify' {
  interface FastifyContextConfig extends OperationConfig {}
}

/** The span of each Fin request, by request: started in onRequest, ended in onResponse (or when the client goes away). */
const OPERATION_SPANS = new WeakMap<FastifyRequest, Span>();
/** What was thrown while answering, by request, for a 5xx answer's span. */
const OPERATION_ERRORS = new WeakMap<FastifyRequest, unknown>();

/**
 * A span for each request to a Fin operation, named after it (`fin.get_conversation`, the same for
 * both variants), with the attributes `fin.operation`, `fin.variant` (`rest` or `post`),
 * `fin.operation_id` (the OpenAPI operationId), `fin.conversation_id` (when the request names a
 * conversation or creates one), `http.response.status_code` and `fin.outcome` (`ok`, `refused`: a
 * 4xx, the caller's to fix, or `failed`: a 5xx, which also marks the span as an error, as
 * OpenTelemetry's HTTP conventions do for servers, with `error.type`, the class of what was thrown,
 * else the status). The domain's work (its `pg` queries) nests
 * under it. With tracing off the tracer is the API's no-op one: this costs a few calls.
 */
function traceOperations(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const name = config.finOperation;
    // The 404 and 405 answers belong to no operation: the HTTP and Fastify spans cover them.
    if (!name) return;
    const operationId = request.routeOptions.schema?.operationId;
    const span = finchTracer().startSpan(`fin.${name}`, {
      kind: SpanKind.INTERNAL,
      attributes: {
        'fin.operation': name,
        'fin.variant': config.finVariant ?? 'rest',
        ...(typeof operationId === 'string' ? { 'fin.operation_id': operationId } : {}),
      },
    });
    OPERATION_SPANS.set(request, span);
  });
  // Any error on the way (a hook's, the use case's), before the error handler makes it an answer.
  app.addHook('onError', async (request, _reply, error) => {
    OPERATION_ERRORS.set(request, error);
  });
  app.addHook('onResponse', async (request, reply) => endOperationSpan(request, reply.statusCode));
  app.addHook('onRequestAbort', async (request) => endOperationSpan(request, undefined));
}

function endOperationSpan(request: FastifyRequest, status: number | undefined): void {
  const span = OPERATION_SPANS.get(request);
  if (!span) return;
  OPERATION_SPANS.delete(request);
  if (status === undefined) {
    span.setAttribute('fin.outcome', 'aborted');
  } else {
    span.setAttribute('http.response.status_code', status);
    span.setAttribute('fin.outcome', status >= 500 ? 'failed' : status >= 400 ? 'refused' : 'ok');
    if (status >= 500) {
      // The class only, not the message: unlike a log line, a span is not scrubbed of secrets.
      const thrown = OPERATION_ERRORS.get(request);
      span.setAttribute('error.type', thrown instanceof Error ? thrown.constructor.name : String(status));
      span.setStatus({ code: SpanStatusCode.ERROR, message: `answered ${status}` });
    }
  }
  OPERATION_ERRORS.delete(request);
  span.end();
}

/**
 * Runs an operation's use case inside the request's span (so its queries nest under it) and notes
 * the conversation: the one the input names, or the one Create Conversation made.
 */
async function traced<T extends { payload: unknown }>(request: FastifyRequest, input: unknown, work: () => Promise<T>): Promise<T> {
  const span = OPERATION_SPANS.get(request);
  if (!span) return work();
  const named = noteConversation(span, input);
  const result = await withActiveSpan(span, work);
  if (typeof named !== 'string' && request.routeOptions.config.finOperation === 'create_conversation') {
    // Create Conversation answers `{ conversation: { id, … }, … }` (CreatedConversation).
    const payload = result.payload as { id?: unknown; conversation?: { id?: unknown } } | null;
    const created = payload?.conversation?.id ?? payload?.id;
    if (typeof created === 'string') span.setAttribute('fin.conversation_id', created);
  }
  return result;
}

/** Notes on the span the conversation the input names, if it names one; returns it. */
function noteConversation(span: Span, input: unknown): unknown {
  const named = (input as { conversation_id?: unknown } | null)?.conversation_id;
  if (typeof named === 'string') span.setAttribute('fin.conversation_id', named);
  return named;
}

/**
 * A request without a body is validated as `{}`: Get Agents needs nothing (Fin may send no body),
 * and elsewhere the caller learns which fields are required instead of "body must be object".
 */
async function noBodyIsEmptyObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

function sendProblem(reply: FastifyReply, { problem, headers }: ReturnType<typeof problemFromError>, variant: Variant) {
  reply.code(problem.status).headers(headers);
  if (variant === 'post') return reply.type('application/json').send({ data: null, error: problem });
  return reply.type(PROBLEM_CONTENT_TYPE).send(problem);
}

/** 405 with an `Allow` header for the methods a known path does not take. */
function registerMethodNotAllowed(app: FastifyInstance, variants: readonly Variant[]): void {
  const allowed = new Map<string, Set<HTTPMethods>>();
  for (const operation of OPERATIONS) {
    if (variants.includes('rest')) allowed.set(operation.rest.path, (allowed.get(operation.rest.path) ?? new Set()).add(operation.rest.method));
    if (variants.includes('post')) allowed.set(operation.post.path, new Set<HTTPMethods>(['POST']));
  }
  for (const [path, methods] of allowed) {
    const others = ALL_METHODS.filter((method) => !methods.has(method));
    const allow = [...methods, ...(methods.has('GET') ? ['HEAD'] : [])].join(', ');
    app.route({
      method: others,
      url: path,
      // Kept out of the OpenAPI document: these routes only say what the real ones take.
      schema: { hide: true } as FastifySchema,
      handler: async (request) => {
        throw new HttpProblem(405, 'method_not_allowed', `${request.method} is not allowed here; use ${allow}.`, {
          headers: { allow },
        });
      },
    });
  }
}
