/**
 * Finch's processes as an operator runs them (the built `finch` program, or `npm start`), with
 * what a lifecycle test needs: their output, their exit, and which processes of one installation
 * (by its data directory) are still alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(ROOT, 'dist/cli/main.js');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Started {
  child: ChildProcess;
  output: () => string;
  stderr: () => string;
  exited: Promise<Exit>;
  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first or after `ms`. */
  waitFor: (pattern: RegExp, ms?: number) => Promise<RegExpExecArray>;
}

/** Runs `command args` in the repository with only the given Finch settings (none inherited). */
export function launch(command: string, args: string[], env: Record<string, string | undefined>): Started {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('FINCH_') && key !== 'DATABASE_URL' && !key.startsWith('npm_')),
  );
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...base, ...Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)) } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  const exited = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    output: () => output,
    stderr: () => stderr,
    exited,
    waitFor: async (pattern, ms = 30_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (done) throw new Error(`exited before printing ${pattern}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`did not print ${pattern} within ${ms} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

export function launchFinch(args: string[], env: Record<string, string | undefined>): Started {
  return launch(process.execPath, [CLI, ...args], env);
}

/** The exit, or a failure naming what the process printed if it takes longer than `ms`. */
export async function exitWithin(started: Started, ms: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      started.child.kill('SIGKILL');
      reject(new Error(`still running after ${ms} ms:\n${started.output()}`));
    }, ms);
  });
  try {
    return await Promise.race([started.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The processes, of any parent, whose environment names this data directory: the server, the
 * demo's emulator (it inherits FINCH_DATA_DIR), whatever else it started. Linux (/proc) only.
 */
export function processesUsing(dataDir: string): number[] {
  const marker = `FINCH_DATA_DIR=${dataDir}\0`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker) && !isZombie(entry)) found.push(Number(entry));
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return found;
}

function isZombie(pid: string): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'latin1').replace(/^.*\)/, ''));
  } catch {
    return true;
  }
}

/** Waits until no process uses `dataDir`; resolves with those still alive after `ms`. */
export async function gone(dataDir: string, ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const alive = processesUsing(dataDir);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether anything accepts connections on this loopback port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Kills what is left (after a failed test), so that nothing outlives the test run. */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
