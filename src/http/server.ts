/**
 * The Finch HTTP server: the Fin API under `/api/fin`, the token endpoint, health, the OpenAPI
 * document with its reference page, and (with the helpdesk side) the agent API and the inbox. It is built from configuration and already-open
 * stores, so tests can build it over any store.
 */
import type { FinContext } from '../domain/context.js';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from '../config.js';
import { authenticateBearer } from '../domain/auth/credentials.js';
import { AddressList } from '../lib/network-rule.js';
import { DatabaseUnavailableError, type CredentialStore, type FinStore } from '../store/port.js';
import { InProcessSignatureReport, type SignatureReportStore } from '../store/signature-report-port.js';
import type { HelpdeskContext } from '../domain/helpdesk/context.js';
import { signedFiles } from './files.js';
import { finApi } from './fin/plugin.js';
import { closeGracefully, isShuttingDown } from './graceful-close.js';
import { FinchMetrics } from '../metrics/finch-metrics.js';
import { observeHttp } from '../metrics/http-metrics.js';
import { registerOperationsRoutes } from '../metrics/operations-routes.js';
import type { MetricsStore } from '../store/metrics-port.js';
import { finchLoggerOptions } from './logging.js';
import { HTTP_TIMEOUTS, timeoutOptions, type HttpTimeouts } from './timeouts.js';
import { agentApi } from './v1/plugin.js';
import { registerWebApp } from './web-app.js';
import { registerTracing } from '../telemetry/fastify.js';
import { openApiDocumentation } from './openapi.js';
import { oauthTokenEndpoint } from './oauth/plugin.js';
import { HttpProblem, problemFromError } from './problem.js';
import { validatorCompiler } from './validation.js';

export interface ServerServices {
  store: FinStore;
  credentials: CredentialStore;
  /** Throws when the database cannot be reached; used by /health. */
  ping: () => Promise<void>;
  /** The helpdesk side (agent API at /api/v1); absent when only the Fin API is served. */
  helpdesk?: HelpdeskContext;
  /** Where FINCH_SIGNATURE_MODE=report counts mismatches (the database, shared by every node); this process's memory when absent. */
  signatureReport?: SignatureReportStore;
  /** Records the activity Fin's requests cause (`recordFinActivity` over Finch's SQL store); nothing is recorded when absent. */
  recordActivity?: FinContext['recordActivity'];
  /** This server's metrics (`finch start` shares them with its dispatcher); a registry of its own when absent. */
  metrics?: FinchMetrics;
  /** The database reads of /metrics and /health/ready (migrations); without it those gauges and that check are left out. */
  metricsStore?: MetricsStore;
}

export type ServerConfig = Pick<
  Config,
  | 'publicUrl'
  | 'signingSecret'
  | 'signatureToleranceSeconds'
  | 'tokenTtlSeconds'
  | 'tokenRateLimitPerMinute'
  | 'bodyLimitBytes'
  | 'logLevel'
  | 'loginRateLimit'
  | 'attachmentLimitBytes'
> &
  Partial<Pick<Config, 'trustProxy' | 'signatureMode' | 'finAllowedIps' | 'metricsToken'>>;

export interface ServerOptions {
  /** Replaces the default pino logger settings (tests pass `false`). */
  logger?: FastifyServerOptions['logger'];
  /** Where the server's own logger writes (standard output unless a test reads the lines). */
  logStream?: DestinationStream;
  /** How long clients may take (see `HTTP_TIMEOUTS`; tests shorten them). */
  timeouts?: Partial<HttpTimeouts>;
  now?: () => Date;
  /** How often an idle event stream gets a keep-alive comment (20 s unless a test needs it sooner). */
  eventKeepAliveMs?: number;
  /** Changes this close together go out as one event (50 ms unless a test needs a wider window). */
  eventCoalesceMs?: number;
}

/** Every answer says this: no MIME sniffing, no referrer (a signed file URL is a permission). */
const BASE_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
const HSTS = 'max-age=31536000; includeSubDomains';

export async function buildServer(config: ServerConfig, services: ServerServices, options: ServerOptions = {}): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date());
  const security = securityHeaderValues(isHttpsUrl(config.publicUrl));
  const app = Fastify({
    logger: options.logger ?? { ...finchLoggerOptions(config.logLevel), ...(options.logStream ? { stream: options.logStream } : {}) },
    genReqId: () => randomUUID(),
    // Behind a reverse proxy, the client's address (rate limits, logs) comes from X-Forwarded-For
    // only when the proxy is trusted (FINCH_TRUST_PROXY).
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : (config.trustProxy ?? false),
    bodyLimit: config.bodyLimitBytes,
    ...timeoutOptions({ ...HTTP_TIMEOUTS, ...options.timeouts }),
    // A malformed URL is the caller's mistake: answer it as a problem like every other. Routing
    // fails before the onRequest hooks run, so the security headers are set here too.
    frameworkErrors: (error, request, reply) => {
      const { problem, headers } = problemFromError(error, request as FastifyRequest);
      void (reply as FastifyReply)
        .code(problem.status)
        .headers({ ...security, ...headers })
        .type('application/problem+json')
        .send(problem);
    },
    // What Node's HTTP parser refuses (raw bytes in a URL, headers too large, a client too slow)
    // never reaches Fastify's routing: answered here, as a problem with the same headers.
    clientErrorHandler: (error, socket) => answerClientError(error, socket, security),
    // Fastify's own answer while closing is a bare 503; closeGracefully answers a problem with Retry-After.
    return503OnClosing: false,
  });

  // When this process traces (OTEL_EXPORTER_OTLP_ENDPOINT): @fastify/otel, before any route. Nothing otherwise.
  await registerTracing(app);
  securityHeaders(app, security);
  // Every answer counted and timed (/metrics), the plugins' too: before any is registered.
  const metrics = services.metrics ?? new FinchMetrics();
  if (services.metricsStore) metrics.useStore(services.metricsStore);
  observeHttp(app, metrics);
  // After the headers and the metrics' hooks: a request refused while closing has both.
  closeGracefully(app);
  // Every route's validation, also of routes outside the API plugins (the signed files' `expires`).
  app.setValidatorCompiler(validatorCompiler);
  // Before any plugin: an encapsulated plugin keeps the error handler it was registered under.
  app.setErrorHandler(async (error, request, reply) => {
    const { problem, headers } = problemFromError(error, request);
    return reply.code(problem.status).headers(headers).type('application/problem+json').send(problem);
  });
  await app.register(swagger, openApiDocumentation(config.publicUrl));
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { deepLinking: true, docExpansion: 'list' } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await services.ping();
      return { status: 'ok', database: 'ok' };
    } catch (error) {
      // The same wait a refused request is told (problem.ts), so probes and clients back off alike.
      const down = error instanceof DatabaseUnavailableError ? error : undefined;
      return reply
        .code(503)
        .header('retry-after', String(down?.retryAfterSeconds ?? 5))
        .send({ status: 'unavailable', database: down?.reason ?? 'unreachable' });
    }
  });

  const { metricsStore } = services;
  registerOperationsRoutes(app, {
    metrics,
    metricsToken: config.metricsToken,
    readiness: {
      ping: services.ping,
      ...(metricsStore ? { missingMigrations: () => metricsStore.missingMigrations() } : {}),
      shuttingDown: () => isShuttingDown(app),
    },
  });

  // FINCH_FIN_ALLOWED_IPS: Fin's two doors, the token endpoint and the Fin API, open only to those addresses.
  const allowedClients = config.finAllowedIps ? new AddressList(config.finAllowedIps) : undefined;
  const signatureReport = services.signatureReport ?? new InProcessSignatureReport();
  const signing = config.signingSecret
    ? { secret: config.signingSecret, toleranceSeconds: config.signatureToleranceSeconds, mode: config.signatureMode ?? 'enforce' }
    : undefined;

  await app.register(oauthTokenEndpoint, {
    allowedClients,
    credentials: services.credentials,
    tokenTtlSeconds: config.tokenTtlSeconds,
    rateLimitPerMinute: config.tokenRateLimitPerMinute,
    // On SQL, counted in the database (shared by every Finch process on it).
    rateLimits: services.helpdesk?.accounts.rateLimits,
    now,
  });

  await app.register(finApi, {
    prefix: '/api/fin',
    store: services.store,
    bodyLimit: config.bodyLimitBytes,
    signing,
    signatureReport,
    allowedClients,
    now,
    recordActivity: services.recordActivity,
    authenticate: async (token) => {
      const result = await authenticateBearer(services.credentials, token, now());
      if (!result.ok) return { ok: false, reason: result.failure };
      if (result.principal.type !== 'fin') return { ok: false, reason: 'forbidden' };
      return result.version === undefined ? { ok: true } : { ok: true, version: result.version };
    },
  });

  if (services.helpdesk) {
    await app.register(agentApi, {
      prefix: '/api/v1',
      ctx: services.helpdesk,
      loginRateLimit: config.loginRateLimit,
      secureCookies: isHttpsUrl(config.publicUrl),
      bodyLimit: config.bodyLimitBytes,
      attachmentLimitBytes: config.attachmentLimitBytes,
      eventKeepAliveMs: options.eventKeepAliveMs,
      eventCoalesceMs: options.eventCoalesceMs,
      signatures: { mode: signing?.mode ?? 'off', report: signatureReport },
    });
    await app.register(signedFiles, { ctx: services.helpdesk });
    // The inbox, for people; it works through the agent API above.
    registerWebApp(app);
  }

  app.setNotFoundHandler(async (request) => {
    throw new HttpProblem(404, 'not_found', `Nothing is served at ${request.method} ${request.url.split('?')[0]}.`);
  });
  return app;
}

/**
 * The headers every answer carries: no MIME sniffing, no referrer, nothing stored by caches (every
 * API answer may carry a secret; a route that may be cached says so itself), and HSTS when Finch
 * is reached over HTTPS.
 */
function securityHeaderValues(https: boolean): Record<string, string> {
  return { ...BASE_HEADERS, 'cache-control': 'no-store', ...(https ? { 'strict-transport-security': HSTS } : {}) };
}

/**
 * Sets `headers` on every answer, on the raw answer so that answers written directly (the event
 * stream) carry them too; a route that sets its own value wins (the inbox's pages and assets,
 * signed files, the event stream's `no-cache`).
 */
function securityHeaders(app: FastifyInstance, headers: Record<string, string>): void {
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of Object.entries(headers)) reply.raw.setHeader(name, value);
    done();
  });
}

/** `trustProxy` for a hop count (Fastify's types take it as a function: trust the first `hops` proxies). */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

/** Whether a URL's scheme is https, in any case (schemes are case-insensitive: `HTTPS://` too). */
function isHttpsUrl(url: string): boolean {
  return /^https:/i.test(url);
}

const CLIENT_ERRORS: Record<string, { status: number; code: string; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', detail: 'The request took too long to arrive.' },
  HPE_HEADER_OVERFLOW: { status: 431, code: 'headers_too_large', detail: 'The request headers are too large.' },
};

/**
 * Answers a request Node's HTTP parser refused, on the raw socket (no request object exists), as
 * an RFC 9457 problem with the security headers, then closes the connection.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex, headers: Record<string, string>): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = (error.code && CLIENT_ERRORS[error.code]) || {
    status: 400,
    code: 'bad_request',
    detail: 'The request is malformed (a URL must be percent-encoded ASCII).',
  };
  const body = JSON.stringify({ type: 'about:blank', title: STATUS_CODES[known.status], status: known.status, detail: known.detail, code: known.code });
  if (socket.writable) {
    const lines = [
      `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}`,
      'content-type: application/problem+json',
      `content-length: ${Buffer.byteLength(body)}`,
      'connection: close',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  }
  socket.destroy(error);
}
