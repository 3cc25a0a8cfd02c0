/**
 * Running the outbox dispatcher in a process (the server's or a worker's): started with the process,
 * woken by local writes and, on PostgreSQL, by other processes' NOTIFY (heard through the process's
 * one change-feed connection); stopped on shutdown after the deliveries in flight.
 */
import os from 'node:os';
import type { Config } from '../config.js';
import { effectiveFinSettings } from '../domain/fin-settings.js';
import type { Finch } from '../finch.js';
import { systemClock, type Clock } from '../outbox/clock.js';
import { Dispatcher, type DispatcherLogger } from '../outbox/dispatcher.js';

export interface RunningDispatcher {
  dispatcher: Dispatcher;
  stop: () => Promise<void>;
}

export async function runDispatcher(finch: Finch, config: Config, logger: DispatcherLogger): Promise<RunningDispatcher> {
  const dispatcher = createDispatcher(finch, config, { logger, clock: systemClock });
  dispatcher.start();
  const stopWaking = await finch.database.changes.wakeOnOutboxWrites(
    () => dispatcher.wake(),
    (error) => logger.warn({ error: error.message }, 'not listening for outbox notifications; polling until listening again'),
  );
  return {
    dispatcher,
    stop: async () => {
      await stopWaking();
      await dispatcher.stop();
    },
  };
}

/** A dispatcher over Finch's SQL stores, with Fin's effective settings (stored, overridden by the environment). */
export function createDispatcher(
  finch: Finch,
  config: Pick<Config, 'fin' | 'failSafeMinutes'>,
  options: { logger: DispatcherLogger; clock: Clock; timeoutMs?: number; pollMs?: number; random?: () => number },
): Dispatcher {
  return new Dispatcher({
    outbox: finch.outbox,
    settings: finch.settings,
    failSafe: finch.failSafe,
    finSettings: async () => effectiveFinSettings(await finch.settings.getFinSettings(), config.fin),
    clock: options.clock,
    logger: options.logger,
    worker: `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
    failSafeAfterMs: config.failSafeMinutes * 60_000,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    ...(options.random === undefined ? {} : { random: options.random }),
  });
}
