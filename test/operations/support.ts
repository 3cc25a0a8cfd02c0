/**
 * What the operations tests share: a `finch start` process with a Fin client and the first admin
 * signed in, as an operator gets them from the first start.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FinClient, fetchAccessToken } from '../../src/client/fin-client.js';
import { AgentClient } from '../support/agent-client.js';
import { finClientFromBanner, startFinchProcess, type ServerProcess } from '../support/process.js';

export interface RunningFinch {
  server: ServerProcess;
  /** Where the process answers: the banner's URL, over plain HTTP (an https:// FINCH_PUBLIC_URL is a proxy's). */
  base: string;
  fin: FinClient;
  client: { clientId: string; clientSecret: string };
}

/** Starts Finch on `env` and connects a Fin client with the OAuth client printed on first start (or `client`). */
export async function startWithFin(env: Record<string, string | undefined>, client?: RunningFinch['client']): Promise<RunningFinch> {
  const server = await startFinchProcess(env);
  const credentials = client ?? finClientFromBanner(server.output());
  if (!credentials) throw new Error(`no Fin client in the banner:\n${server.output()}`);
  const base = server.baseUrl.replace(/^https:/, 'http:');
  return { server, base, client: credentials, fin: await finClient(base, credentials) };
}

export async function finClient(baseUrl: string, client: RunningFinch['client']): Promise<FinClient> {
  const { accessToken } = await fetchAccessToken(`${baseUrl}/oauth/token`, client.clientId, client.clientSecret);
  return new FinClient({ baseUrl: `${baseUrl}/api/fin`, variant: 'rest', token: accessToken });
}

/** The first admin, signed in with the password kept in `<dataDir>/first-admin.txt`. */
export async function signInFirstAdmin(baseUrl: string, dataDir: string): Promise<AgentClient> {
  const text = readFileSync(path.join(dataDir, 'first-admin.txt'), 'utf8');
  const email = /^Email:\s+(\S+)$/m.exec(text)![1]!;
  const password = /^Password:\s+(\S+)$/m.exec(text)![1]!;
  return AgentClient.signIn(baseUrl, email, password);
}

/**
 * A maker of temporary directories (`prefix` under the system's temporary directory), all removed
 * by the `afterAll` hook given (vitest's, from the test file that uses them).
 */
export function tempDirs(afterAll: (hook: () => void) => void): (prefix: string) => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}
