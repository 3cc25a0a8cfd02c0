/**
 * Runs the emulator: the connection to the helpdesk, the bot, the state, the HTTP server, and the
 * timer that retries failed synchronizations. Setup (Get Agents) is retried until the helpdesk
 * answers, so the emulator can start before it.
 */
import type { FastifyInstance } from 'fastify';
import { HelpdeskConnection } from '../client/helpdesk-connection.js';
import { listenOn } from '../http/listen.js';
import { Bot } from './bot.js';
import type { EmulatorConfig } from './config.js';
import { FinEmulator, type EmulatorLogger } from './fin-emulator.js';
import { buildEmulatorServer } from './server.js';
import { EmulatorState } from './state.js';

export interface RunningEmulator {
  emulator: FinEmulator;
  server: FastifyInstance;
  url: string;
  stop: () => Promise<void>;
}

const SETUP_RETRY_MS = 2_000;
const RETRY_CHECK_MS = 1_000;

export async function runEmulator(config: EmulatorConfig, logger: EmulatorLogger): Promise<RunningEmulator> {
  const state = new EmulatorState(config.dataDir);
  const emulator = new FinEmulator({
    helpdesk: new HelpdeskConnection(config.helpdesk),
    state,
    bot: new Bot(config.knowledge, config.confidence),
    finAgentId: config.finAgentId,
    retries: config.retries,
    retryIntervalMs: config.retryIntervalMs,
    logger,
  });
  const server = await buildEmulatorServer({ emulator, state, integrationId: config.integrationId, webhookKey: config.webhookKey });
  try {
    await listenOn(server, { host: config.host, port: config.port, portSetting: 'FINCH_EMULATOR_PORT (--port)', hostSetting: 'FINCH_EMULATOR_HOST (--host)' });
  } catch (error) {
    // Nothing else has started yet: close what is open, so the process can exit with the error.
    await server.close();
    state.close();
    throw error;
  }
  const { port } = server.server.address() as { port: number };

  let stopped = false;
  let setupTimer: NodeJS.Timeout | undefined;
  const setUp = async () => {
    try {
      const fin = await emulator.setup();
      logger.info({ agent: fin.id }, 'connected to the helpdesk; this agent speaks for Fin');
    } catch (error) {
      logger.warn({ error: (error as Error).message }, 'the helpdesk is not answering Get Agents yet; trying again');
      if (!stopped) setupTimer = setTimeout(() => void setUp(), SETUP_RETRY_MS);
    }
  };
  await setUp();
  const retries = setInterval(() => void emulator.retryDue().catch(() => undefined), RETRY_CHECK_MS);
  retries.unref();

  return {
    emulator,
    server,
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`,
    stop: async () => {
      stopped = true;
      clearTimeout(setupTimer);
      clearInterval(retries);
      await server.close();
      state.close();
    },
  };
}
