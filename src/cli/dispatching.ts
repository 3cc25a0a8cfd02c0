/**
 * Running the outbox dispatcher in a process (the server's or a worker's): started with the process,
 * woken by local writes and, on PostgreSQL, by other processes' NOTIFY (heard through the process's
 * one change-feed connection); stopped on shutdown after the deliveries in flight.
 */
import type { Config } from '../config.js';
import { createDispatcher, type Finch } from '../finch.js';
import { systemClock } from '../outbox/clock.js';
import type { Dispatcher, DispatcherLogger } from '../outbox/dispatcher.js';

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
