/**
 * Running the outbox dispatcher in a process (the server's or a worker's): started with the process,
 * woken by local writes and, on PostgreSQL, by other processes' NOTIFY; stopped on shutdown after
 * the deliveries in flight.
 */
import type { Config } from '../config.js';
import { createDispatcher, type Finch } from '../finch.js';
import { systemClock } from '../outbox/clock.js';
import type { Dispatcher, DispatcherLogger } from '../outbox/dispatcher.js';
import { listenForOutbox } from '../store/sql/outbox-channel.js';

const RELISTEN_AFTER_MS = 5_000;

export interface RunningDispatcher {
  dispatcher: Dispatcher;
  stop: () => Promise<void>;
}

export async function runDispatcher(finch: Finch, config: Config, logger: DispatcherLogger): Promise<RunningDispatcher> {
  const dispatcher = createDispatcher(finch, config, { logger, clock: systemClock });
  dispatcher.start();
  let stopListening: (() => Promise<void>) | undefined;
  let stopped = false;
  const listen = async () => {
    if (!config.databaseUrl || stopped) return;
    try {
      stopListening = await listenForOutbox(config.databaseUrl, () => dispatcher.wake(), (error) => {
        logger.warn({ err: error }, 'lost the outbox notification channel; polling until it is back');
        void stopListening?.();
        setTimeout(() => void listen(), RELISTEN_AFTER_MS).unref();
      });
    } catch (error) {
      logger.warn({ err: error }, 'could not listen for outbox notifications; polling');
      setTimeout(() => void listen(), RELISTEN_AFTER_MS).unref();
    }
  };
  await listen();
  return {
    dispatcher,
    stop: async () => {
      stopped = true;
      await stopListening?.();
      await dispatcher.stop();
    },
  };
}
