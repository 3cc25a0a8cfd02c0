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
import { allowClientsIn } from '../client-address.js';
import { refuseUnstorableText, useJsonBodies } from '../json-body.js';
import { HttpProblem, problemFromError } from '../problem.js';
import { validatorCompiler } from '../validation.js';
import { requireFin, type Authenticate } from './auth.js';
import { HANDLERS } from './handlers.js';
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

  app.setValidatorCompiler(validatorCompiler);
  useJsonBodies(app, { bodyLimit: options.bodyLimit ?? 1_048_576, ...(checks ? { check: checks.check } : {}) });
  // Before the token is looked at: an address that may not call learns nothing else.
  if (options.allowedClients) app.addHook('onRequest', allowClientsIn(options.allowedClients, 'FINCH_FIN_ALLOWED_IPS'));
  app.addHook('onRequest', async (request) => requireFin(request, options.authenticate));
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
    await app.register(async (scope) => {
      scope.setErrorHandler(async (error, request, reply) => sendProblem(reply, problemFromError(error, request), variant));
      for (const operation of OPERATIONS) registerOperation(scope, operation, variant, ctx);
    });
  }
  registerMethodNotAllowed(app, variants);
};

function registerOperation(app: FastifyInstance, operation: Operation, variant: Variant, ctx: FinContext): void {
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
      ...(method === 'GET' ? {} : { preValidation: noBodyIsEmptyObject }),
      handler: async (request, reply) => {
        const input = method === 'GET' ? request.query : request.body;
        const result = await handler(ctx, input, 'rest');
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
    preValidation: noBodyIsEmptyObject,
    handler: async (request, reply) => {
      const result = await handler(ctx, request.body, 'post');
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(200).send({ data: result.payload, error: null });
    },
  });
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
