/**
 * What Finch leaves on disk and prints about its database is for its owner only: a data directory
 * Finch creates is 0700 and the files it creates there (the SQLite database with its -wal and
 * -shm, the demo's credentials, the emulator's state) are 0600, while a directory or file the
 * operator made keeps its permissions; a database password never reaches the start banner, in
 * the URL's `user:pw@` or as a query parameter.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, closeSync, openSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../support/postgres-server.js';
import { runFinch, startFinchProcess } from '../support/process.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function tempRoot(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'finch-files-'));
  roots.push(root);
  return root;
}

/** Every path under `dir` (itself included) with its permission bits. */
function modes(dir: string): Array<{ path: string; directory: boolean; mode: number }> {
  const found = [{ path: dir, directory: true, mode: statSync(dir).mode & 0o777 }];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const at = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...modes(at));
    else found.push({ path: at, directory: false, mode: statSync(at).mode & 0o777 });
  }
  return found;
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0');

describe('the files a Finch process writes', () => {
  it('are owner-only when Finch creates the data directory (the demo and its emulator included)', { timeout: 60_000 }, async () => {
    const dataDir = path.join(tempRoot(), 'new', 'sub');
    const server = await startFinchProcess({ FINCH_DATA_DIR: dataDir, FINCH_DEMO: 'on', FINCH_LOG_LEVEL: 'warn' });
    try {
      // A write, so that SQLite has made its -wal and -shm files.
      expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
      const found = modes(path.dirname(dataDir));
      const names = found.map((entry) => path.relative(path.dirname(dataDir), entry.path));
      expect(names).toEqual(expect.arrayContaining(['sub', 'sub/finch.db', 'sub/finch.db-wal', 'sub/finch.db-shm', 'sub/demo-credentials.json']));
      expect(names.some((name) => name.includes('emulator'))).toBe(true);
      expect(found.map((entry) => `${path.relative(path.dirname(dataDir), entry.path) || '.'} ${octal(entry.mode)}`)).toEqual(
        found.map((entry) => `${path.relative(path.dirname(dataDir), entry.path) || '.'} ${entry.directory ? '0700' : '0600'}`),
      );
    } finally {
      await server.stop();
    }
  });

  it('leave the permissions of a data directory and database file that already exist as they are', { timeout: 60_000 }, async () => {
    const dataDir = path.join(tempRoot(), 'shared');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o750);
    const file = path.join(dataDir, 'finch.db');
    closeSync(openSync(file, 'w'));
    chmodSync(file, 0o640);
    const server = await startFinchProcess({ FINCH_DATA_DIR: dataDir, FINCH_LOG_LEVEL: 'warn' });
    try {
      expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
      expect(octal(statSync(dataDir).mode & 0o777)).toBe('0750');
      expect(octal(statSync(file).mode & 0o777)).toBe('0640');
    } finally {
      await server.stop();
    }
  });
});

describe.skipIf(!inject('postgresUrl'))('the start banner', () => {
  it('shows the PostgreSQL URL without a password given as a query parameter', { timeout: 60_000 }, async () => {
    const databaseUrl = new URL(await createDatabase(inject('postgresUrl')!));
    databaseUrl.searchParams.set('password', 'QueryPw123');
    databaseUrl.searchParams.set('application_name', 'finch-banner');
    const server = await startFinchProcess({ FINCH_DATA_DIR: tempRoot(), DATABASE_URL: databaseUrl.toString(), FINCH_LOG_LEVEL: 'info' });
    try {
      expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
    } finally {
      await server.stop();
    }
    const output = server.output();
    expect(output).toMatch(/Data: +postgres:\/\/\S*password=\*\*\*/);
    expect(output).toContain('application_name=finch-banner');
    expect(output).not.toContain('QueryPw123');
  });

  it('and the error when the database cannot be reached does not show the password either', { timeout: 60_000 }, async () => {
    // A port nothing listens on: take one, then free it.
    const server = net.createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
    await new Promise((resolve) => server.close(resolve));
    const result = await runFinch(['start'], {
      FINCH_DATA_DIR: tempRoot(),
      FINCH_PORT: '0',
      FINCH_DEMO: 'off',
      DATABASE_URL: `postgres://finch:UserPw456@127.0.0.1:${port}/finch?password=QueryPw123&sslpassword=KeyPw789`,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/database/i);
    for (const secret of ['QueryPw123', 'UserPw456', 'KeyPw789']) expect(result.stdout + result.stderr).not.toContain(secret);
  });
});
