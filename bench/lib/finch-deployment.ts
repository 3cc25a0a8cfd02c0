/**
 * Finch set up to notify Fin, as an operator runs it: the FINCH_FIN_* variables point at a
 * receiver, an admin agent and its personal API token come from the `finch` commands, and the
 * outbox is delivered either by the server itself (FINCH_DISPATCHER=server, the default) or by
 * `finch worker` processes beside a server started with FINCH_DISPATCHER=off.
 *
 * The environment is finch-process.ts's fixed one (so that the caller's own FINCH_* settings
 * cannot change what is measured) plus these variables; the child-process plumbing is service.ts.
 */
import path from 'node:path';
import type { Cleanup } from './cleanup.js';
import { createAdminToken, finch, finchEnv, profileArgs, type FinchTarget } from './finch-process.js';
import { REPO_ROOT } from './paths.js';
import { startService } from './service.js';

const MAIN = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

export interface DeploymentOptions extends FinchTarget {
  /** FINCH_FIN_BASE_URL: where notifications go. */
  receiverUrl: string;
  /** 0: the server delivers; n > 0: FINCH_DISPATCHER=off on the server and n `finch worker` processes. */
  workers: number;
}

export interface Deployment {
  baseUrl: string;
  serverPid: number;
  workerPids: number[];
  /** An admin's personal API token, for the agent API (no CSRF with a bearer token). */
  agentToken: string;
  /** A fixed Fin API token (`finch create-fin-token`), for seeding as Fin. */
  finToken: string;
}

/** Creates the credentials, starts the server and the workers; each is stopped at cleanup. */
export async function deployFinch(options: DeploymentOptions, cleanup: Cleanup): Promise<Deployment> {
  const env = deploymentEnv(options);
  // Before the server starts, so that the first command (not the server) migrates the database.
  const agentToken = await createAdminToken(env);
  const finToken = (JSON.parse(await finch(env, 'create-fin-token', '--json')) as { token: string }).token;

  const server = await startService({
    name: 'Finch',
    command: process.execPath,
    args: [...profileArgs(), MAIN, 'start'],
    cwd: REPO_ROOT,
    env,
    timeoutMs: 120_000,
    ready: (lines) => serverReady(lines, options.receiverUrl),
  });
  cleanup.add('stop Finch', server.stop);

  const workerPids: number[] = [];
  for (let index = 0; index < options.workers; index++) {
    const worker = await startService({
      name: `finch worker ${index + 1}`,
      command: process.execPath,
      args: [...profileArgs(), MAIN, 'worker'],
      cwd: REPO_ROOT,
      env,
      ready: (lines) => (lines.some((line) => line.startsWith('finch worker delivering')) ? true : undefined),
    });
    cleanup.add(`stop finch worker ${index + 1}`, worker.stop);
    workerPids.push(worker.pid);
  }
  return {
    baseUrl: server.info,
    serverPid: server.pid,
    workerPids,
    agentToken,
    finToken,
  };
}

function deploymentEnv(options: DeploymentOptions): NodeJS.ProcessEnv {
  return {
    ...finchEnv(options),
    FINCH_FIN_INTEGRATION_ID: 'int_bench',
    FINCH_FIN_WEBHOOK_KEY: 'bench-webhook-key',
    FINCH_FIN_BASE_URL: options.receiverUrl,
    FINCH_DISPATCHER: options.workers > 0 ? 'off' : 'server',
  };
}

/**
 * The server's base URL once its banner is complete. The banner's "Notifying Fin" line must name
 * the receiver: a Finch that would not send anything would measure nothing.
 */
function serverReady(lines: readonly string[], receiverUrl: string): string | undefined {
  const notifying = lines.find((line) => line.trimStart().startsWith('Notifying Fin:'));
  if (!notifying) return undefined;
  if (!notifying.includes(`yes, at ${receiverUrl}/`)) throw new Error(`Finch will not notify the receiver: ${notifying.trim()}`);
  const url = lines.map((line) => /Finch is running at (http:\/\/\S+)/.exec(line)?.[1]).find(Boolean);
  if (!url) throw new Error('the banner has no "Finch is running at" line');
  return url;
}

/** The processes of a deployment that are no longer running ("server", "worker <pid>"). */
export function exitedProcesses(finch: Deployment): string[] {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  return [...(alive(finch.serverPid) ? [] : ['server']), ...finch.workerPids.filter((pid) => !alive(pid)).map((pid) => `worker ${pid}`)];
}
