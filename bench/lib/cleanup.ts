/**
 * Teardown for a bench run. The bench starts servers (Finch, the baseline, PostgreSQL) and writes
 * databases of several GB to temp dirs; none of that may outlive the run, whether it ends normally,
 * throws, or is stopped with Ctrl-C. Steps run in reverse order of registration, each at most once.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

type Step = { name: string; run: () => Promise<void> | void };

export class Cleanup {
  private readonly steps: Step[] = [];

  /** Registers a step; the returned function runs it now (e.g. to free disk early) and only once. */
  add(name: string, run: () => Promise<void> | void): () => Promise<void> {
    const step: Step = { name, run };
    this.steps.push(step);
    return async () => {
      const index = this.steps.indexOf(step);
      if (index === -1) return;
      this.steps.splice(index, 1);
      await step.run();
    };
  }

  /** A fresh directory under the OS temp dir, deleted with everything in it at the end. */
  tempDir(prefix: string): { dir: string; remove: () => Promise<void> } {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    const remove = this.add(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    return { dir, remove };
  }

  async runAll(): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.run();
      } catch (error) {
        // One failed step must not leave the others' processes or files behind.
        process.stderr.write(`cleanup: ${step.name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  }
}

/**
 * Children that must die with the bench even if it exits without running its cleanup (an
 * uncaught error in a callback, process.exit): killed synchronously from the 'exit' handler.
 */
const liveChildren = new Set<ChildProcess>();

export function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/**
 * Runs a bench's main function with a Cleanup that runs afterwards in every case. Ctrl-C (or
 * SIGTERM) runs the cleanup too, then exits with the conventional 128 + signal number.
 */
export async function runBench(main: (cleanup: Cleanup) => Promise<void>): Promise<void> {
  const cleanup = new Cleanup();
  const onSignal = (signal: NodeJS.Signals, code: number) => {
    process.stderr.write(`\n${signal}: cleaning up…\n`);
    void cleanup.runAll().finally(() => process.exit(code));
  };
  const onInt = () => onSignal('SIGINT', 130);
  const onTerm = () => onSignal('SIGTERM', 143);
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  try {
    await main(cleanup);
  } catch (error) {
    process.stderr.write(`\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  } finally {
    await cleanup.runAll();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
