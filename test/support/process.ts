/**
 * Runs the `finch` command as users do: the built program (dist/, rebuilt by the test run's
 * global setup) in a separate process, configured by environment variables.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli/main.js');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function finchArgs(args: string[]): string[] {
  return [CLI, ...args];
}

/** Runs `finch <args>` to completion. */
export function runFinch(args: string[], env: Record<string, string | undefined>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, finchArgs(args), { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the process printed so far (stdout and stderr). */
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<RunResult>;
}

/** Starts `finch start` on a free port and waits until it prints that it is running. */
export async function startFinchProcess(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const child = spawn(process.execPath, finchArgs(['start']), {
    cwd: ROOT,
    // The demo (Finch with the Fin emulator) only when a test asks for it, and never on a fixed port.
    env: cleanEnv({ FINCH_PORT: '0', FINCH_DEMO: 'off', FINCH_EMULATOR_PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<RunResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));

  const deadline = Date.now() + 30_000;
  let baseUrl: string | undefined;
  while (!baseUrl) {
    baseUrl = /Finch is running at (\S+)/.exec(stdout)?.[1];
    if (child.exitCode !== null) throw new Error(`finch start exited with ${child.exitCode}:\n${stdout}\n${stderr}`);
    if (Date.now() > deadline) throw new Error(`finch start did not come up:\n${stdout}\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    baseUrl,
    output: () => stdout + stderr,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return closed;
    },
  };
}

/** Starts `finch worker` and waits until it says it is delivering. */
export async function startWorkerProcess(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const child = spawn(process.execPath, finchArgs(['worker']), { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const closed = new Promise<RunResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: output, stderr: '' })));
  const deadline = Date.now() + 30_000;
  while (!output.includes('finch worker delivering')) {
    if (child.exitCode !== null) throw new Error(`finch worker exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`finch worker did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    baseUrl: '',
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return closed;
    },
  };
}

/** The test's own environment without Finch settings, so only what a test sets applies. */
function cleanEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('FINCH_') && key !== 'DATABASE_URL'));
  return { ...base, ...Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)) } as NodeJS.ProcessEnv;
}

/**
 * Fin's first OAuth client from a start banner: shown on the terminal (the demo), or kept in the
 * owner-only file the banner names (src/cli/first-admin.ts). Undefined until the banner names it.
 */
export function finClientFromBanner(text: string): { clientId: string; clientSecret: string } | undefined {
  const clientId = /Client ID:\s+(\S+)/.exec(text)?.[1];
  if (!clientId) return undefined;
  const shown = /Client secret:\s+(\S+)/.exec(text)?.[1];
  if (shown) return { clientId, clientSecret: shown };
  const file = /The client secret is in (\S+)/.exec(text)?.[1];
  const kept = file ? /Client secret:\s+(\S+)/.exec(readFileSync(file, 'utf8'))?.[1] : undefined;
  return kept ? { clientId, clientSecret: kept } : undefined;
}
