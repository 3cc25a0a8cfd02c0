/**
 * Builds the inbox (web/) into dist/web with Vite, unless dist/web is newer than every source it
 * is built from: `npm start` calls this on each start and should not pay for a build it does not need.
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const stamp = path.join(root, 'dist/web/.built');
const sources = [path.join(root, 'web'), path.join(root, 'src/contract')];

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

const force = process.argv.includes('--force');
const upToDate = existsSync(stamp) && statSync(stamp).mtimeMs >= Math.max(...sources.map(newest), statSync(path.join(root, 'package-lock.json')).mtimeMs);
if (force || !upToDate) {
  // Whatever runs this (the test runner sets NODE_ENV=test), the inbox is built for production:
  // otherwise React's development build, three times the size, would be shipped.
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'web/vite.config.ts'), mode: 'production', logLevel: 'warn' });
  writeFileSync(stamp, new Date().toISOString());
}
