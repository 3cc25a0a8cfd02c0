import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { createClient, type NewClient } from '../domain/auth/credentials.js';
import { hashPassword } from '../domain/auth/secrets.js';
import { effectiveFinSettings, webhookTarget } from '../domain/fin-settings.js';
import { finSettingsReport, type FinSettingsReport } from '../domain/helpdesk/fin-settings.js';
import { helpdeskContext, openFinch, type Finch } from '../finch.js';
import { buildServer } from '../http/server.js';
import { EmailTakenError } from '../store/port.js';
import { demoSettings, startDemoEmulator, type RunningDemo } from './demo.js';
import { runDispatcher } from './dispatching.js';

const SHUTDOWN_GRACE_MS = 10_000;

/** `finch start`: runs the server until SIGINT or SIGTERM, then drains requests and closes. */
export async function startCommand(args: string[]): Promise<void> {
  parseArgs({ args, options: {}, strict: true });
  const loaded = loadConfig();
  const finch = await openFinch(loaded);
  // First start: give Fin a client to authenticate with, and people an admin to sign in as.
  // The secrets are printed once, here.
  const firstClient = (await finch.credentials.listClients()).length === 0 ? await createClient(finch.credentials, 'Fin', new Date()) : undefined;
  const firstAdmin = await ensureFirstAdmin(finch);

  // No Fin settings at all: run the demo, with the Fin emulator standing in for Fin.
  const configured = webhookTarget(effectiveFinSettings(await finch.settings.getFinSettings(), loaded.fin)).ok;
  const demo = !configured && process.env.FINCH_DEMO !== 'off' ? await demoSettings(finch, loaded) : undefined;
  const config: Config = demo ? { ...loaded, fin: demo.overrides } : loaded;

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
  let emulator: RunningDemo | undefined;
  if (demo) {
    emulator = await startDemoEmulator(config, `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`, demo.credentials);
    // The same object the dispatcher and the agent API read: they notify the emulator from now on.
    demo.overrides.baseUrl = emulator.messengerUrl;
    settingsChanged();
  }
  const notifications = await finSettingsReport(helpdesk);
  process.stdout.write(banner(config, port, finch.database.location, { client: firstClient, admin: firstAdmin, notifications, messengerUrl: emulator?.messengerUrl }));

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
    await emulator?.stop();
    await finch.close();
    clearTimeout(force);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

interface Firsts {
  client: NewClient | undefined;
  admin: { email: string; password: string } | undefined;
  notifications: FinSettingsReport;
  messengerUrl: string | undefined;
}

/** The first agent, an admin, so that someone can sign in; none when any person has an account. */
async function ensureFirstAdmin(finch: Finch): Promise<{ email: string; password: string } | undefined> {
  if ((await finch.accounts.listAllAgents()).some((agent) => !agent.isFin)) return undefined;
  const password = randomBytes(12).toString('base64url');
  try {
    const agent = await finch.store.insertAgent({
      name: 'Admin',
      email: 'admin@finch.local',
      alias: null,
      photoUrl: null,
      role: 'admin',
      isFin: false,
      passwordHash: await hashPassword(password),
      at: new Date().toISOString(),
    });
    return { email: agent.email, password };
  } catch (error) {
    // Another node starting on the same PostgreSQL database created it first: it printed the password.
    if (error instanceof EmailTakenError) return undefined;
    throw error;
  }
}

function banner(config: Config, port: number, dataLocation: string, { client, admin, notifications, messengerUrl }: Firsts): string {
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
  if (messengerUrl) {
    lines.push(
      'No Fin settings yet, so Finch runs as a demo with the Fin emulator standing in for Fin:',
      `  Messenger (chat as an end-user):  ${messengerUrl}/`,
      `  Fin's error logs:                 ${messengerUrl}/errors`,
      '  Set the Fin settings (PUT /api/v1/settings/fin or FINCH_FIN_*) and restart to connect the real Fin.',
      '',
    );
  }
  if (admin) {
    lines.push('Sign in as an agent (the password is shown only this once):', `  Email:     ${admin.email}`, `  Password:  ${admin.password}`, '');
  }
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
