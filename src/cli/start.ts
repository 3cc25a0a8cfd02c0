import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { createClient, type NewClient } from '../domain/auth/credentials.js';
import { finSettingsReport, type FinSettingsReport } from '../domain/helpdesk/fin-settings.js';
import { helpdeskContext, openFinch } from '../finch.js';
import { buildServer } from '../http/server.js';
import { runDispatcher } from './dispatching.js';

const SHUTDOWN_GRACE_MS = 10_000;

/** `finch start`: runs the server until SIGINT or SIGTERM, then drains requests and closes. */
export async function startCommand(args: string[]): Promise<void> {
  parseArgs({ args, options: {}, strict: true });
  const config = loadConfig();
  const finch = await openFinch(config);
  // First start: give Fin a client to authenticate with. The secret is printed once, here.
  const firstClient = (await finch.credentials.listClients()).length === 0 ? await createClient(finch.credentials, 'Fin', new Date()) : undefined;

  let wake = () => {};
  let settingsChanged = () => {};
  const helpdesk = helpdeskContext(finch, config, { outboxWritten: () => wake(), settingsChanged: () => settingsChanged() });
  const app = await buildServer(config, { ...finch, helpdesk });
  const dispatching = config.dispatcher === 'server' ? await runDispatcher(finch, config, app.log) : undefined;
  if (dispatching) {
    wake = () => dispatching.dispatcher.wake();
    settingsChanged = () => dispatching.dispatcher.settingsChanged();
  }
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const notifications = await finSettingsReport(helpdesk);
  process.stdout.write(banner(config, port, finch.database.location, firstClient, notifications));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error('requests did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    await app.close();
    await dispatching?.stop();
    await finch.close();
    clearTimeout(force);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

function banner(config: Config, port: number, dataLocation: string, client: NewClient | undefined, notifications: FinSettingsReport): string {
  const base = config.publicUrl.replace(/:\d+$/, '') === config.publicUrl ? config.publicUrl : config.publicUrl.replace(/:\d+$/, `:${port}`);
  const lines = [
    '',
    `Finch is running at ${base}`,
    `  Fin API base URL:  ${base}/api/fin   (REST and POST-only variants)`,
    `  API reference:     ${base}/docs`,
    `  Data:              ${dataLocation}`,
    `  Request signing:   ${config.signingSecret ? 'required (FINCH_SIGNING_SECRET is set)' : 'off (set FINCH_SIGNING_SECRET to require it)'}`,
    `  Agent API:         ${base}/api/v1`,
    `  Notifying Fin:     ${notifications.sending ? `yes, at ${notifications.webhookUrl}` : `no (${notifications.notSendingReason})`}${
      config.dispatcher === 'off' ? '; delivered by finch worker processes (FINCH_DISPATCHER=off)' : ''
    }`,
    '',
  ];
  if (client) {
    lines.push(
      "Paste these into Fin's settings (the secret is shown only this once):",
      `  Token URL:      ${base}/oauth/token`,
      `  Client ID:      ${client.clientId}`,
      `  Client secret:  ${client.clientSecret}`,
      '',
    );
  } else {
    lines.push('Fin authenticates with the OAuth client created on first start; `finch create-client` makes another.', '');
  }
  return `${lines.join('\n')}\n`;
}
