import pino from 'pino';
import { loadEmulatorConfig } from '../emulator/config.js';
import { runEmulator } from '../emulator/run.js';

/** `finch emulate`: a stand-in for Fin, for any helpdesk that implements the contract. */
export async function emulateCommand(args: string[]): Promise<void> {
  const config = loadEmulatorConfig(args);
  const logger = pino({ level: process.env.FINCH_LOG_LEVEL ?? 'info' });
  const running = await runEmulator(config, logger);
  process.stdout.write(
    `Fin emulator is running at ${running.url}\n` +
      `  Messenger:   ${running.url}/\n` +
      `  Error logs:  ${running.url}/errors\n` +
      `  Webhooks:    ${running.url}/hooks/standalone/custom_helpdesk_conversation_event/${config.integrationId}\n` +
      `  Helpdesk:    ${config.helpdesk.baseUrl} (${config.helpdesk.variant === 'rest' ? 'REST' : 'POST-only'} variant)\n`,
  );
  const stop = async () => {
    await running.stop();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
