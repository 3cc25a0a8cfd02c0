import pino from 'pino';
import { loadEmulatorConfig } from '../emulator/config.js';
import { runEmulator } from '../emulator/run.js';
import { finchLoggerOptions } from '../http/logging.js';

/** How long requests in flight may take once asked to stop, before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 5_000;

/**
 * `finch emulate`: a stand-in for Fin, for any helpdesk that implements the contract. Stops on
 * SIGINT or SIGTERM, and, when started by `finch start` for the demo (with an IPC channel), as
 * soon as that process is gone, however it ended (even SIGKILL): the channel closes with it.
 */
export async function emulateCommand(args: string[]): Promise<void> {
  const config = loadEmulatorConfig(args);
  const logger = pino(finchLoggerOptions(process.env.FINCH_LOG_LEVEL ?? 'info'));
  const running = await runEmulator(config, logger);
  process.stdout.write(
    `Fin emulator is running at ${running.url}\n` +
      `  Messenger:   ${running.url}/  (as a signed-in user: ${running.url}/?user_id=HELPDESK_USER_ID&email=…&name=…)\n` +
      `  Error logs:  ${running.url}/errors\n` +
      `  Webhooks:    ${running.url}/hooks/standalone/custom_helpdesk_conversation_event/${config.integrationId}\n` +
      `  Helpdesk:    ${config.helpdesk.baseUrl} (${config.helpdesk.variant === 'rest' ? 'REST' : 'POST-only'} variant)\n`,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    await running.stop();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  if (process.channel) {
    process.once('disconnect', () => void stop());
    // The channel is only a lifeline: it must not keep this process alive by itself.
    process.channel.unref();
  }
}
