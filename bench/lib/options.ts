/** Settings shared by the bench scripts: numbers from flags or the environment, and the database choice. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { REPO_ROOT } from './paths.js';

export type DbKind = 'sqlite' | 'postgres';

/** `sqlite`, `postgres` or `both`. */
export function parseDbChoice(value: string | undefined, fallback: 'sqlite' | 'postgres' | 'both'): DbKind[] {
  const choice = value ?? fallback;
  if (choice === 'both') return ['sqlite', 'postgres'];
  if (choice === 'sqlite' || choice === 'postgres') return [choice];
  throw new Error(`--db must be sqlite, postgres or both; got ${JSON.stringify(choice)}`);
}

/** A whole number of at least `min` from a flag or environment value, else the default. */
export function wholeNumber(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined || value === '') return fallback;
  // Underscores allowed, so that 1_000_000 can be typed as it is read.
  const parsed = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(parsed) || parsed < min) throw new Error(`${name} must be a whole number of at least ${min}; got ${JSON.stringify(value)}`);
  return parsed;
}

/** What a reader of a results file needs to compare it with another: where and on what it ran. */
export function environment(): Record<string, unknown> {
  let commit: string | undefined;
  let dirty: boolean | undefined;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
  } catch {
    // Not a git checkout: the results simply do not say which commit.
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryBytes: os.totalmem(),
    commit,
    srcDirty: dirty,
  };
}
