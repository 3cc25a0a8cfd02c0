import { stopTracing } from '../telemetry/stop.js';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../config.js';
import { createClient, type NewClient } from '../domain/auth/credentials.js';
import { hashPassword } from '../domain/auth/secrets.js';
import { effectiveFinSettings, webhookTarget } from '../domain/fin-settings.js';
import { finSettingsReport, type FinSettingsReport } from '../domain/helpdesk/fin/fin-settings-report.js';
import { helpdeskContext, openFinch, recordFinActivity, type Finch } from '../finch.js';
import { markShuttingDown } from '../http/graceful-close.js';
import { listenOn } from '../http/listen.js';
import { FinchMetrics } from '../metrics/finch-metrics.js';
import { SqlMetricsStore } from '../store/sql/sql-metrics-store.js';
import { buildServer } from '../http/server.js';
import { EmailTakenError } from '../store/port.js';
import { SqlSignatureReportStore } from '../store/sql/sql-signature-report-store.js';
import { demoSettings, startDemoEmulator, type RunningDemo } from './demo.js';
import { runBackground, type RunningBackground } from './dispatching.js';
import { applyHeapGrowth } from './heap-growth.js';
import { FIRST_ADMIN_EMAIL, firstAdminFile, keepFinClient, keepFirstAdmin, type FirstAdmin } from './first-admin.js';

const SHUTDOWN_GRACE_MS = 10_000;
/** How often a server started by npm checks that npm is still there. */
const PARENT_CHECK_MS = 1_000;

/**
 * `finch start`: runs the server until SIGINT or SIGTERM, then drains requests and closes. When
 * it cannot start (the port is taken, the database unreachable), it stops what it had started
 * and fails at once, so the process exits instead of hanging.
 */
export async function startCommand(args: string[]): Promise<void> {
  parseArgs({ args, options: {}, strict: true });
  const loaded = loadConfig();
  const heapGrowthPercent = applyHeapGrowth();
  const finch = await openFinch(loaded);
  const running: Running = { finch };
  try {
    await start(loaded, running);
    running.app?.log.info({ heapGrowthPercent: heapGrowthPercent ?? 'node option' }, 'heap growth between full collections');
  } catch (error) {
    await stopAll(running).catch(() => undefined);
    throw error;
  }
}

/** What has been started so far, stopped in this order. */
interface Running {
  app?: FastifyInstance;
  /** The dispatcher and the scheduled jobs. */
  background?: RunningBackground;
  emulator?: RunningDemo;
  finch: Finch;
}

async function stopAll({ app, background, emulator, finch }: Running): Promise<void> {
  await app?.close();
  await background?.stop();
  await emulator?.stop();
  await finch.close();
}

async function start(loaded: Config, running: Running): Promise<void> {
  const { finch } = running;
  // No Fin settings at all: run the demo, with the Fin emulator standing in for Fin.
  const configured = webhookTarget(effectiveFinSettings(await finch.settings.getFinSettings(), loaded.fin)).ok;
  const demo = !configured && process.env.FINCH_DEMO !== 'off' ? await demoSettings(finch, loaded) : undefined;
  const config: Config = demo ? { ...loaded, fin: demo.overrides } : loaded;

  // First start: give people an admin to sign in as (and, once listening, Fin a client).
  const created = await ensureFirstAdmin(finch);
  // Outside the demo the password goes to a file only this user can read, never to the output
  // (which is the log stream); kept before anything else can fail, so it is not lost.
  const firstAdmin: FirstAdminNotice = demo
    ? { shown: created }
    : created
      ? keepFirstAdmin(config.dataDir, created, config.publicUrl)
      : { stillIn: firstAdminFile(config.dataDir) };

  let wake = () => {};
  let settingsChanged = () => {};
  let routingNeeded = () => {};
  const helpdesk = helpdeskContext(finch, config, {
    outboxWritten: () => wake(),
    settingsChanged: () => settingsChanged(),
    routingNeeded: () => routingNeeded(),
  });
  // One registry for the server and its dispatcher: /metrics shows both.
  const metricsStore = new SqlMetricsStore(finch.database);
  const metrics = new FinchMetrics({ store: metricsStore });
  // Report mode counts signature mismatches in the database, so every node adds to one report.
  const app = await buildServer(config, {
    ...finch,
    helpdesk,
    signatureReport: new SqlSignatureReportStore(finch.database),
    recordActivity: recordFinActivity,
    metrics,
    metricsStore,
  });
  running.app = app;
  // FINCH_DISPATCHER=off: neither deliveries nor scheduled jobs here; `finch worker` runs both.
  const background = config.dispatcher === 'server' ? await runBackground(finch, config, app.log, { onAttempt: metrics.observer }) : undefined;
  running.background = background;
  if (background) {
    wake = () => background.dispatcher.wake();
    settingsChanged = () => background.dispatcher.settingsChanged();
    routingNeeded = () => background.routing.wake();
  }
  await listenOn(app, { host: config.host, port: config.port, portSetting: 'FINCH_PORT', hostSetting: 'FINCH_HOST' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  if (demo) {
    running.emulator = await startDemoEmulator(config, `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`, demo.credentials);
    // The same object the dispatcher and the agent API read: they notify the emulator from now on.
    demo.overrides.baseUrl = running.emulator.messengerUrl;
    settingsChanged();
  }
  // Made only now that nothing can fail before the banner, which shows its secret once (the demo) or where it is kept.
  // The demo's own client (for the emulator) does not count.
  const clients = (await finch.credentials.listClients()).filter((client) => client.id !== demo?.credentials.clientId);
  const createdClient = clients.length === 0 ? await createClient(finch.credentials, 'Fin', new Date()) : undefined;
  // Outside the demo its secret goes to a file, like the admin's password.
  const firstClient: FinClientNotice | undefined = createdClient && {
    client: createdClient,
    ...(demo ? {} : { kept: keepFinClient(config.dataDir, createdClient, `${config.publicUrl}/oauth/token`) }),
  };
  const notifications = await finSettingsReport(helpdesk);
  process.stdout.write(
    banner(config, port, finch.database.location, { client: firstClient, admin: firstAdmin, notifications, messengerUrl: running.emulator?.messengerUrl }),
  );

  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    const delayMs = config.shutdownDelaySeconds * 1000;
    app.log.info({ signal: reason, delaySeconds: config.shutdownDelaySeconds }, 'shutting down');
    // /health/ready answers 503 from here on.
    markShuttingDown(app);
    // The forced exit counts from the signal: the delay, then the grace for the requests in flight.
    const force = setTimeout(() => {
      app.log.error('requests did not finish in time; exiting');
      process.exit(1);
    }, delayMs + SHUTDOWN_GRACE_MS);
    force.unref();
    // FINCH_SHUTDOWN_DELAY: still serving, not ready, until the proxy's health check has taken
    // this node out; closing at once refuses (503) or resets the requests the proxy still sends
    // here until it notices, and a POST on a reset connection is not retried: the client gets 502.
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    await stopAll(running);
    clearTimeout(force);
    // Last: the spans of the work that just stopped are sent (nothing to do when tracing is off).
    await stopTracing();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  stopWithNpm(() => void stop('npm exited'));
}

/**
 * `npm start` runs Finch through a shell (`sh -c`), and npm passes SIGTERM and SIGINT to that
 * shell only: the shell dies and Finch would run on, orphaned. Started by npm, Finch stops when
 * its parent goes away (it is then adopted, and its parent process id changes).
 */
function stopWithNpm(stop: () => void): void {
  if (!process.env.npm_lifecycle_event) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, PARENT_CHECK_MS);
  timer.unref();
}

/** What the banner says about the first admin's password. */
type FirstAdminNotice =
  /** The demo: the password itself, on the terminal. */
  | { shown: FirstAdmin | undefined }
  /** Written to this file now (or not, and why). */
  | { writtenTo: string; error?: string }
  /** Written on an earlier start, and the file is still there. */
  | { stillIn: string | undefined };

/** Fin's first OAuth client: its secret shown on the terminal (the demo) or `kept` in a file. */
interface FinClientNotice {
  client: NewClient;
  kept?: { writtenTo: string; error?: string };
}

interface Firsts {
  client: FinClientNotice | undefined;
  admin: FirstAdminNotice;
  notifications: FinSettingsReport;
  messengerUrl: string | undefined;
}

/** The first agent, an admin, so that someone can sign in; none when any person has an account. */
async function ensureFirstAdmin(finch: Finch): Promise<FirstAdmin | undefined> {
  if ((await finch.accounts.listAllAgents()).some((agent) => !agent.isFin)) return undefined;
  const password = randomBytes(12).toString('base64url');
  try {
    const agent = await finch.store.insertAgent({
      name: 'Admin',
      email: FIRST_ADMIN_EMAIL,
      alias: null,
      photoUrl: null,
      role: 'admin',
      isFin: false,
      passwordHash: await hashPassword(password),
      at: new Date().toISOString(),
    });
    return { email: agent.email, password };
  } catch (error) {
    // Another node starting on the same PostgreSQL database created it first: it kept the password.
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
    `  Request signing:   ${signingLine(config)}`,
    ...(config.finAllowedIps
      ? [`  Fin may call from: the ${config.finAllowedIps.length} network(s) of FINCH_FIN_ALLOWED_IPS only (/api/fin, /oauth/token)`]
      : []),
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
  lines.push(...adminLines(admin));
  if (client?.kept && !client.kept.error) {
    lines.push(
      "Fin's OAuth client (paste it into Fin's settings):",
      `  Token URL:      ${base}/oauth/token`,
      `  Client ID:      ${client.client.clientId}`,
      `  The client secret is in ${client.kept.writtenTo}`,
      '  (readable by this user only; delete it once Fin has it)',
      '',
    );
  } else if (client) {
    // The demo, or a data directory the file could not be written to: the terminal is the only way left.
    lines.push(
      `Paste these into Fin's settings (the secret is shown only this once${client.kept?.error ? `; it could not be written to ${client.kept.writtenTo}: ${client.kept.error}` : ''}):`,
      `  Token URL:      ${base}/oauth/token`,
      `  Client ID:      ${client.client.clientId}`,
      `  Client secret:  ${client.client.clientSecret}`,
      '',
    );
  } else {
    lines.push('Fin authenticates with the OAuth client created on first start; `finch create-client` makes another.', '');
  }
  return `${lines.join('\n')}\n`;
}

function signingLine(config: Config): string {
  if (!config.signingSecret) return 'off (set FINCH_SIGNING_SECRET to require it)';
  if (config.signatureMode === 'report') return 'report only: mismatches are accepted, logged and shown in Admin → Fin settings (FINCH_SIGNATURE_MODE=report)';
  return 'required (FINCH_SIGNING_SECRET is set)';
}

function adminLines(admin: FirstAdminNotice): string[] {
  const resetHint = `finch reset-password --agent ${FIRST_ADMIN_EMAIL}`;
  if ('shown' in admin) {
    if (!admin.shown) return [];
    return ['Sign in as an agent (the password is shown only this once):', `  Email:     ${admin.shown.email}`, `  Password:  ${admin.shown.password}`, ''];
  }
  if ('writtenTo' in admin) {
    if (admin.error)
      return [
        `The first admin (${FIRST_ADMIN_EMAIL}) was created, but its password could not be written to ${admin.writtenTo} (${admin.error}).`,
        `  Set one with: ${resetHint}`,
        '',
      ];
    return [
      "Sign in as an agent: the first admin's email and password are in",
      `  ${admin.writtenTo}`,
      '  (readable by this user only; delete it once you have signed in)',
      '',
    ];
  }
  if (!admin.stillIn) return [];
  return [`The first admin's password is still in ${admin.stillIn}: delete it once you have signed in (lost it? ${resetHint}).`, ''];
}
