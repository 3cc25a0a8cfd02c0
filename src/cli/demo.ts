/**
 * The zero-configuration demo: with no Fin settings, `finch start` also starts the Fin emulator as
 * a separate process and wires the two together, so the whole loop (messenger → Fin → handover →
 * agent → back to the messenger) works without an Intercom account. With real Fin settings, stored
 * or from FINCH_FIN_*, none of this happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, type Config } from '../config.js';
import { createClient } from '../domain/auth/credentials.js';
import type { FinSettingsOverrides } from '../domain/fin-settings.js';
import type { Finch } from '../finch.js';

export const DEMO_INTEGRATION_ID = 'finch-demo';
const CLI = fileURLToPath(new URL('./main.js', import.meta.url));

interface DemoCredentials {
  clientId: string;
  clientSecret: string;
  webhookKey: string;
}

export interface RunningDemo {
  messengerUrl: string;
  stop: () => Promise<void>;
}

/**
 * The OAuth client the emulator signs in with and the webhook key Finch sends it, made once and
 * kept beside the data (readable by this user only): like what one pastes into Fin's settings.
 */
async function demoCredentials(finch: Finch, config: Config): Promise<DemoCredentials> {
  const file = path.join(config.dataDir, 'demo-credentials.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
    const client = await finch.credentials.findClient(saved.clientId);
    if (client && client.revokedAt === null) return saved;
  }
  const client = await createClient(finch.credentials, 'Fin emulator (demo)', new Date());
  const credentials = { clientId: client.clientId, clientSecret: client.clientSecret, webhookKey: randomBytes(24).toString('base64url') };
  // Owner only, as the database (a directory that exists keeps its mode; mode applies on creation).
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return credentials;
}

/** The Fin settings Finch uses during the demo; `baseUrl` is filled in once the emulator is up. */
export async function demoSettings(finch: Finch, config: Config): Promise<{ overrides: FinSettingsOverrides; credentials: DemoCredentials }> {
  const credentials = await demoCredentials(finch, config);
  return { overrides: { integrationId: DEMO_INTEGRATION_ID, webhookKey: credentials.webhookKey }, credentials };
}

/**
 * Starts the emulator process against Finch at `finchUrl` and waits until it is listening. The
 * child holds an IPC channel to this process: when this process ends in any way (even SIGKILL),
 * the channel closes and the emulator stops (src/cli/emulate.ts). When it cannot start (its port
 * is taken), the error says so in its own words, as a `ConfigError` (exit status 2).
 */
export async function startDemoEmulator(config: Config, finchUrl: string, credentials: DemoCredentials): Promise<RunningDemo> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'emulate'], {
    env: {
      ...process.env,
      FINCH_EMULATOR_HELPDESK_URL: `${finchUrl}/api/fin`,
      FINCH_EMULATOR_CLIENT_ID: credentials.clientId,
      FINCH_EMULATOR_CLIENT_SECRET: credentials.clientSecret,
      FINCH_EMULATOR_WEBHOOK_KEY: credentials.webhookKey,
      FINCH_EMULATOR_INTEGRATION_ID: DEMO_INTEGRATION_ID,
      FINCH_EMULATOR_PORT: process.env.FINCH_EMULATOR_PORT ?? '8081',
      FINCH_EMULATOR_HOST: config.host,
      FINCH_EMULATOR_DATA_DIR: path.join(config.dataDir, 'emulator'),
      ...(config.signingSecret ? { FINCH_EMULATOR_SIGNING_SECRET: config.signingSecret } : {}),
      FINCH_LOG_LEVEL: process.env.FINCH_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // The channel is the emulator's lifeline, not a reason for this process to stay up.
  child.channel?.unref();
  let output = '';
  let errors = '';
  const collectErrors = (chunk: Buffer) => (errors += chunk.toString());
  child.stderr!.on('data', collectErrors);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Fin emulator is running at (\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.once('error', reject);
      child.once('exit', (code) => {
        const why =
          errors
            .trim()
            .split('\n')
            .at(-1)
            ?.replace(/^finch emulate: /, '') ?? '';
        reject(
          code === 2
            ? new ConfigError(`the demo's Fin emulator could not start: ${why}`)
            : new Error(`the Fin emulator exited (${code}) before it was ready:\n${output}${errors}`),
        );
      });
    });
    // Whatever the emulator prints goes on to this process's output.
    child.stdout!.removeAllListeners('data');
    child.stderr!.off('data', collectErrors);
    process.stderr.write(errors);
    child.stdout!.pipe(process.stdout);
    child.stderr!.pipe(process.stderr);
    return { messengerUrl: url, stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
