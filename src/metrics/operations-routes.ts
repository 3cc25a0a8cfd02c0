/**
 * The operator's routes: `GET /metrics` (Prometheus text format, guarded by metrics-access.ts),
 * `GET /health/live` (the process answers) and `GET /health/ready` (this node should get traffic:
 * the database answers, every migration Finch knows is applied, and it is not shutting down).
 * Served by `finch start` on its port and by `finch worker` on FINCH_METRICS_PORT
 * (operations-server.ts). Hidden from the OpenAPI document: they are for machines of the operator,
 * not API clients.
 */
import type { FastifyInstance } from 'fastify';
import { HttpProblem } from '../http/problem.js';
import { DatabaseUnavailableError } from '../store/port.js';
import type { FinchMetrics } from './finch-metrics.js';
import { judgeMetricsAccess } from './metrics-access.js';

/** How long readiness waits for the database before calling it unavailable (ms): probes time out at 1 s by default in Kubernetes, so answer well within a few. */
export const READINESS_TIMEOUT_MS = 2_000;

export interface Readiness {
  /** Resolves when the database serves (the same check as /health); throws otherwise. */
  ping: () => Promise<void>;
  /** The migrations Finch knows that are not applied; absent without a database (the in-memory store). */
  missingMigrations?: () => Promise<string[]>;
  /** Whether this process is stopping. */
  shuttingDown: () => boolean;
}

export interface OperationsRouteOptions {
  metrics: FinchMetrics;
  /** FINCH_METRICS_TOKEN; undefined: loopback callers only. */
  metricsToken: string | undefined;
  readiness: Readiness;
  /** Bounds readiness's database checks (ms); READINESS_TIMEOUT_MS unless a test needs less. */
  readinessTimeoutMs?: number;
}

/** Adds the three routes to `app` (at its root). */
export function registerOperationsRoutes(app: FastifyInstance, options: OperationsRouteOptions): void {
  const { metrics, metricsToken, readiness } = options;
  const timeoutMs = options.readinessTimeoutMs ?? READINESS_TIMEOUT_MS;
  // A kubelet probes every few seconds and Prometheus scrapes every 15 s: logging each request at
  // info (two lines) would bury the log, so these routes log warnings and errors only (or less, if
  // FINCH_LOG_LEVEL asks for less), on `finch start` and `finch worker` alike.
  const quiet = { hide: true } as const;
  const logLevel = quieterOf(app.log.level, 'warn');

  app.get('/metrics', { schema: quiet, logLevel }, async (request, reply) => {
    const access = judgeMetricsAccess(metricsToken, request.headers.authorization, request.raw.socket.remoteAddress);
    if (!access.allowed) {
      if (access.status === 401) {
        throw new HttpProblem(401, access.code, 'Send the metrics token: Authorization: Bearer <FINCH_METRICS_TOKEN>.', {
          headers: { 'www-authenticate': 'Bearer realm="finch-metrics"' },
        });
      }
      throw new HttpProblem(403, access.code, '/metrics answers only on loopback; set FINCH_METRICS_TOKEN to scrape it from elsewhere.');
    }
    const text = await metrics.exposition();
    return reply.type(metrics.contentType).send(text);
  });

  app.get('/health/live', { schema: quiet, logLevel }, async () => ({ status: 'ok' }));

  app.get('/health/ready', { schema: quiet, logLevel }, async () => {
    if (readiness.shuttingDown()) {
      throw new HttpProblem(503, 'shutting_down', 'This node is shutting down; send requests to another.', { headers: { 'retry-after': '5' } });
    }
    try {
      await within(timeoutMs, readiness.ping());
    } catch (error) {
      const down = error instanceof DatabaseUnavailableError ? error : undefined;
      throw new HttpProblem(503, 'database_unavailable', `The database does not answer${down ? ` (${down.reason})` : ''}; not ready.`, {
        headers: { 'retry-after': String(down?.retryAfterSeconds ?? 5) },
      });
    }
    let missing: string[] = [];
    try {
      missing = (await within(timeoutMs, readiness.missingMigrations?.() ?? Promise.resolve([]))) ?? [];
    } catch {
      throw new HttpProblem(503, 'database_unavailable', 'The database does not answer; not ready.', { headers: { 'retry-after': '5' } });
    }
    if (missing.length > 0) {
      throw new HttpProblem(
        503,
        'migrations_pending',
        `The database lacks ${missing.length} migration(s) this Finch needs (${missing.join(', ')}); they are applied when a node starts.`,
        { headers: { 'retry-after': '30' } },
      );
    }
    return { status: 'ready', database: 'ok', migrations: 'current' };
  });
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
type Level = (typeof LEVELS)[number];

/** The quieter of the logger's level (pino's names; an unknown one counts as `trace`) and `floor`. */
function quieterOf(level: string, floor: Level): Level {
  const index = LEVELS.indexOf(level as Level);
  return index > LEVELS.indexOf(floor) ? LEVELS[index]! : floor;
}

/** `work`, or a rejection after `ms` (the work itself is left to finish or fail on its own). */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  // The losing promise's rejection is handled here, so it never becomes an unhandled one.
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
