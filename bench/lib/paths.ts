/** Where things are, wherever the bench is started from. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Results go to .bench/, which .gitignore already ignores: they are measurements of one machine. */
export const RESULTS_DIR = path.join(REPO_ROOT, '.bench');

/** Writes `.bench/<kind>-<UTC date and time>.json` and returns its path. */
export function writeResults(kind: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  const file = path.join(RESULTS_DIR, `${kind}-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/** True when this module is the script node was started with (not imported by another). */
export function isMain(importMetaUrl: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(importMetaUrl);
}
