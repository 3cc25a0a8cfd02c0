/**
 * A server run as a child process, ready once its stdout says so. Finch and the baseline both run
 * out of process so that the load generator never shares their event loop, and so that their RSS
 * is theirs alone.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { trackChild } from './cleanup.js';

export interface ServiceOptions<T> {
  /** For error messages. */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Called with stdout so far (one entry per line) after each line; returns the service's
   * details once they are all there, or undefined to keep waiting.
   */
  ready: (lines: readonly string[]) => T | undefined;
  timeoutMs?: number;
}

export interface Service<T> {
  pid: number;
  info: T;
  /** SIGTERM, so the server closes cleanly (SQLite checkpoints its WAL); SIGKILL if it hangs. */
  stop: () => Promise<void>;
}

const STOP_GRACE_MS = 15_000;
const TAIL_CHARS = 4000;

export function startService<T>(options: ServiceOptions<T>): Promise<Service<T>> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const lines: string[] = [];
  let stderr = '';
  // Keep only the tail of stderr, for the error message: a server that logs a lot under load must
  // not grow the bench's memory.
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-TAIL_CHARS)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => false), delay(STOP_GRACE_MS).then(() => true)]);
    if (killed) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().finally(() => reject(new Error(`${options.name} ${why}\n--- stdout ---\n${lines.join('\n').slice(-TAIL_CHARS)}\n--- stderr ---\n${stderr}`)));
    };
    const timer = setTimeout(() => fail('did not become ready in time'), options.timeoutMs ?? 60_000);
    child.once('error', (error) => fail(`could not be started: ${error.message}`));
    child.once('exit', (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`));

    const reader = createInterface({ input: child.stdout });
    reader.on('line', (line) => {
      lines.push(line);
      if (settled) {
        // After start-up the output is read only so that the pipe never fills and blocks the
        // server; a short tail is kept for error messages.
        if (lines.length > 200) lines.splice(0, lines.length - 100);
        return;
      }
      let info: T | undefined;
      try {
        info = options.ready(lines);
      } catch (error) {
        return fail(`printed something unexpected: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (info === undefined) return;
      settled = true;
      clearTimeout(timer);
      resolve({ pid: child.pid!, info, stop });
    });
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
