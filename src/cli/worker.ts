import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { openFinchWhenAvailable } from '../finch.js';
import { finchLoggerOptions } from '../http/logging.js';
import { runBackground } from './dispatching.js';

/**
 * `finch worker`: delivers the outbox to Fin and runs the scheduled jobs (the fail-safe, pruning
 * the delivery log) without serving HTTP. Run any number of them on PostgreSQL (each event goes to
 * exactly one, each job's run to one), and set FINCH_DISPATCHER=off on the servers.
 * It waits for the database when started before it, and rides out its restarts.
 */
export async function workerCommand(args: string[]): Promise<void> {
  parseArgs({ args, options: {}, strict: true });
  const config = loadConfig();
  const logger = pino(finchLoggerOptions(config.logLevel));
  const finch = await openFinchWhenAvailable(config, (error, retryInMs) =>
    logger.warn({ error: error.message, retryInMs }, 'the database is unavailable; waiting for it'),
  );
  const running = await runBackground(finch, config, logger);
  process.stdout.write(`finch worker delivering notifications to Fin (data: ${finch.database.location})\n`);
  const stop = async (signal: string) => {
    logger.info({ signal }, 'worker shutting down');
    await running.stop();
    await finch.close();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
