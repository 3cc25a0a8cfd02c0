/**
 * `POST /oauth/token`: the OAuth 2.0 client credentials grant Fin uses to get access tokens
 * (RFC 6749 §4.4). The client authenticates with HTTP Basic or with `client_id`/`client_secret` in
 * a form or JSON body. Errors carry RFC 6749's `error`/`error_description`, which OAuth clients
 * read, alongside the problem fields the rest of Finch answers with.
 */
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, TokenRequest, TokenResponse, type OAuthErrorCode } from '../../contract/oauth.js';
import { issueAccessToken } from '../../domain/auth/credentials.js';
import type { AddressList } from '../../lib/network-rule.js';
import type { CredentialStore } from '../../store/port.js';
import type { RateLimitStore } from '../../store/rate-limit-port.js';
import { allowClientsIn } from '../client-address.js';
import { containsUnstorableText, refuseUnstorableText, useJsonBodies } from '../json-body.js';
import { problem, problemFromError } from '../problem.js';
import { sharedRateLimitStore } from '../shared-rate-limit.js';
import { validatorCompiler } from '../validation.js';

export interface OAuthOptions {
  credentials: CredentialStore;
  tokenTtlSeconds: number;
  /** Token requests per minute and client address. */
  rateLimitPerMinute: number;
  /** Where requests are counted: the database on SQL, shared by every Finch process; this process's memory when absent. */
  rateLimits?: RateLimitStore | undefined;
  now?: () => Date;
  /** When set, only clients at these addresses may ask for a token (403 otherwise): FINCH_FIN_ALLOWED_IPS. */
  allowedClients?: AddressList | undefined;
}

class OAuthFailure extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: OAuthErrorCode,
    description: string,
  ) {
    super(description);
  }
}

const OAuthErrorBody = {
  description: 'RFC 6749 §5.2 error, with problem (RFC 9457) fields',
  content: { 'application/json': { schema: OAuthError } },
};

export const oauthTokenEndpoint: FastifyPluginAsync<OAuthOptions> = async (app, options) => {
  const now = options.now ?? (() => new Date());
  app.setValidatorCompiler(validatorCompiler);
  // First of all: an address that may not ask is not counted against the rate limit either.
  if (options.allowedClients) app.addHook('onRequest', allowClientsIn(options.allowedClients, 'FINCH_FIN_ALLOWED_IPS'));
  useJsonBodies(app, { bodyLimit: 16_384 });
  await app.register(formbody, { bodyLimit: 16_384 });
  await app.register(rateLimit, {
    max: options.rateLimitPerMinute,
    timeWindow: 60_000,
    ...(options.rateLimits ? { store: sharedRateLimitStore(options.rateLimits, now, 'oauth-token') } : {}),
    errorResponseBuilder: (_request, context) => {
      const error = new Error(`Too many token requests; retry in ${Math.ceil(context.ttl / 1000)} s.`) as Error & { statusCode: number; code: string };
      error.statusCode = 429;
      error.code = 'rate_limited';
      return error;
    },
  });

  app.addHook('preValidation', refuseUnstorableText);
  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof OAuthFailure) return sendOAuthError(reply, request, error);
    const { problem: body, headers } = problemFromError(error, request);
    if (body.status === 400 || body.status === 413 || body.status === 415) {
      return sendOAuthError(reply, request, new OAuthFailure(400, 'invalid_request', body.detail ?? body.title));
    }
    return reply.code(body.status).headers(headers).type('application/problem+json').send(body);
  });

  app.post(
    '/oauth/token',
    {
      schema: {
        summary: 'Get an access token',
        operationId: 'oauth_token',
        description:
          'OAuth 2.0 client credentials grant. Authenticate the client with HTTP Basic or with client_id and client_secret in the body (form or JSON).',
        tags: ['OAuth'],
        // Public: the client proves itself with its id and secret (Basic or the body), not a bearer token.
        security: [],
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: TokenRequest,
        response: { 200: TokenResponse, 400: OAuthErrorBody, 401: OAuthErrorBody },
      },
    },
    async (request, reply) => {
      const body = request.body as TokenRequest;
      const credentials = clientCredentials(request, body);
      if (body.grant_type !== 'client_credentials') {
        throw new OAuthFailure(400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
      }
      const grant = await issueAccessToken(options.credentials, credentials, options.tokenTtlSeconds, now());
      if (!grant.ok) throw new OAuthFailure(401, 'invalid_client', 'Client authentication failed.');
      request.log.info({ client_id: credentials.clientId }, 'access token issued');
      return reply
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .send({ access_token: grant.accessToken, token_type: 'Bearer', expires_in: grant.expiresIn });
    },
  );
};

/** The client's id and secret, from exactly one of HTTP Basic or the body (RFC 6749 §2.3.1). */
function clientCredentials(request: FastifyRequest, body: TokenRequest): { clientId: string; clientSecret: string } {
  const basic = basicCredentials(request.headers.authorization);
  const inBody = body.client_id !== undefined || body.client_secret !== undefined;
  if (basic && inBody) throw new OAuthFailure(400, 'invalid_request', 'Authenticate the client with HTTP Basic or in the body, not both.');
  if (basic) return basic;
  if (body.client_id && body.client_secret) return { clientId: body.client_id, clientSecret: body.client_secret };
  throw new OAuthFailure(401, 'invalid_client', 'Client authentication is missing: use HTTP Basic or client_id and client_secret.');
}

function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || containsUnstorableText(decoded)) throw new OAuthFailure(401, 'invalid_client', 'The Basic credentials must be client_id:client_secret.');
  // RFC 6749 §2.3.1: both parts are form-encoded before they are joined.
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return part;
    }
  };
  return { clientId: decode(decoded.slice(0, colon)), clientSecret: decode(decoded.slice(colon + 1)) };
}

function sendOAuthError(reply: FastifyReply, request: FastifyRequest, failure: OAuthFailure) {
  if (failure.status === 401) reply.header('www-authenticate', 'Basic realm="finch", charset="UTF-8"');
  return reply
    .code(failure.status)
    .header('cache-control', 'no-store')
    .type('application/json')
    .send({ error: failure.error, error_description: failure.message, ...problem(failure.status, failure.error, failure.message, request) });
}
