import { stopTracing } from '../telemetry/stop.js';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { openFinchWhenAvailable, type Finch } from '../finch.js';
import { markShuttingDown } from '../http/graceful-close.js';
import { listenOn } from '../http/listen.js';
import { finchLoggerOptions } from '../http/logging.js';
import { FinchMetrics } from '../metrics/finch-metrics.js';
import { buildOperationsServer } from '../metrics/operations-server.js';
import { DatabaseUnavailableError } from '../store/port.js';
import { SqlMetricsStore } from '../store/sql/sql-metrics-store.js';
import { runBackground } from './dispatching.js';
import { applyHeapGrowth } from './heap-growth.js';

/**
 * `finch worker`: delivers the outbox to Fin and runs the scheduled jobs (the fail-safe, pruning
 * the delivery log) without serving HTTP. Run any number of them on PostgreSQL (each event goes to
 * exactly one, each job's run to one), and set FINCH_DISPATCHER=off on the servers.
 * It waits for the database when started before it, and rides out its restarts.
 * With FINCH_METRICS_PORT it serves `/metrics` and the probes there (docs/metrics.md), from the
 * start: live while it waits for the database, ready once it delivers.
 */
export async function workerCommand(args: string[]): Promise<void> {
  parseArgs({ args, options: {}, strict: true });
  const config = loadConfig();
  const logger = pino(finchLoggerOptions(config.logLevel));
  const heapGrowthPercent = applyHeapGrowth();
  logger.info({ heapGrowthPercent: heapGrowthPercent ?? 'node option' }, 'heap growth between full collections');
  const metrics = new FinchMetrics();
  let opened: Finch | undefined;
  let operations: FastifyInstance | undefined;
  if (config.metricsPort !== undefined) {
    operations = await buildOperationsServer({
      metrics,
      metricsToken: config.metricsToken,
      logger,
      readiness: {
        ping: async () => {
          if (!opened) throw new DatabaseUnavailableError('the worker has not reached the database yet', 5);
          await opened.ping();
        },
        missingMigrations: async () => (opened ? new SqlMetricsStore(opened.database).missingMigrations() : []),
      },
    });
    await listenOn(operations, { host: config.host, port: config.metricsPort, portSetting: 'FINCH_METRICS_PORT', hostSetting: 'FINCH_HOST' });
  }
  const finch = await openFinchWhenAvailable(config, (error, retryInMs) =>
    logger.warn({ error: error.message, retryInMs }, 'the database is unavailable; waiting for it'),
  );
  opened = finch;
  metrics.useStore(new SqlMetricsStore(finch.database));
  const running = await runBackground(finch, config, logger, { onAttempt: metrics.observer });
  const address = operations?.server.address();
  const serving = address && typeof address === 'object' ? `; metrics and probes on port ${address.port}` : '';
  process.stdout.write(`finch worker delivering notifications to Fin (data: ${finch.database.location}${serving})\n`);
  const stop = async (signal: string) => {
    logger.info({ signal }, 'worker shutting down');
    if (operations) markShuttingDown(operations);
    await running.stop();
    await operations?.close();
    await finch.close();
    // Last: the spans of the deliveries that just stopped are sent (nothing to do when tracing is off).
    await stopTracing();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
