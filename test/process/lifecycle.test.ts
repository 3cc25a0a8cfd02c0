/**
 * Finch's processes start and end cleanly, on SQLite and PostgreSQL: the server and the demo's Fin
 * emulator (a child process) end together, whether the server is stopped (SIGTERM, SIGINT), killed
 * (SIGKILL), or run by `npm start` and npm is stopped; and a start that cannot happen (a port in
 * use, an address the machine does not have, an unreachable database) ends at once with one line
 * saying which setting to change, instead of hanging.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { sqlBackends } from '../support/finch.js';
import { createDatabase } from '../support/postgres-server.js';
import { exitWithin, gone, killAll, launch, launchFinch, listening, processesUsing, type Started } from './processes.js';

/** A start that fails must end well within this (it includes loading the program). */
const FAIL_FAST_MS = 15_000;

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'finch-lifecycle-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs) killAll(processesUsing(dir));
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A port something else holds, for as long as the test needs. */
async function occupiedPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  return { port: (holder.address() as net.AddressInfo).port, release: () => new Promise((resolve) => holder.close(() => resolve())) };
}

async function databaseFor(backend: string): Promise<string | undefined> {
  return backend === 'postgres' ? createDatabase(inject('postgresUrl')!) : undefined;
}

/** The demo, on free ports: Finch's and the emulator's, once both are up. */
async function startDemo(started: Started): Promise<{ finchPort: number; emulatorPort: number }> {
  const finchUrl = (await started.waitFor(/Finch is running at (\S+)/))[1]!;
  const messengerUrl = (await started.waitFor(/Messenger \(chat as an end-user\):\s+(\S+)\//))[1]!;
  return { finchPort: Number(new URL(finchUrl).port), emulatorPort: Number(new URL(messengerUrl).port) };
}

const demoEnv = (dir: string, databaseUrl: string | undefined) => ({
  FINCH_DATA_DIR: dir,
  DATABASE_URL: databaseUrl,
  FINCH_PORT: '0',
  FINCH_EMULATOR_PORT: '0',
  FINCH_DEMO: 'on',
  FINCH_LOG_LEVEL: 'warn',
});

describe.each(sqlBackends())('stopping finch start with the demo on %s', (backend) => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} ends the server and the emulator, and frees both ports`, async () => {
      const dir = dataDir();
      const started = launchFinch(['start'], demoEnv(dir, await databaseFor(backend)));
      const { finchPort, emulatorPort } = await startDemo(started);
      expect(processesUsing(dir).length).toBe(2);
      started.child.kill(signal);
      expect(await exitWithin(started, 15_000)).toEqual({ code: 0, signal: null });
      expect(await gone(dir, 5_000)).toEqual([]);
      expect(await listening(finchPort)).toBe(false);
      expect(await listening(emulatorPort)).toBe(false);
    });
  }

  it('SIGKILL of the server: the emulator notices its parent is gone and exits', async () => {
    const dir = dataDir();
    const started = launchFinch(['start'], demoEnv(dir, await databaseFor(backend)));
    const { emulatorPort } = await startDemo(started);
    started.child.kill('SIGKILL');
    await started.exited;
    expect(await gone(dir, 10_000)).toEqual([]);
    expect(await listening(emulatorPort)).toBe(false);
  });
});

describe('npm start', () => {
  it('SIGTERM to npm ends the shell npm runs, the server and the emulator', async () => {
    const dir = dataDir();
    // The real start script (`npm start` without its prestart build, which the test run did).
    const started = launch('npm', ['start', '--ignore-scripts', '--silent'], { ...demoEnv(dir, undefined), npm_config_update_notifier: 'false' });
    const { finchPort, emulatorPort } = await startDemo(started);
    // npm, the shell it runs the script with, Finch, the emulator.
    expect(processesUsing(dir).length).toBeGreaterThanOrEqual(3);
    started.child.kill('SIGTERM');
    await exitWithin(started, 15_000);
    expect(await gone(dir, 15_000)).toEqual([]);
    expect(await listening(finchPort)).toBe(false);
    expect(await listening(emulatorPort)).toBe(false);
  });
});

describe.each(sqlBackends())('a start that cannot happen on %s', (backend) => {
  it("ends at once, status 2, naming FINCH_EMULATOR_PORT when the demo's emulator port is taken, and leaves nothing running", async () => {
    const dir = dataDir();
    const held = await occupiedPort();
    try {
      const started = launchFinch(['start'], { ...demoEnv(dir, await databaseFor(backend)), FINCH_EMULATOR_PORT: String(held.port) });
      const exit = await exitWithin(started, FAIL_FAST_MS + 10_000);
      expect(exit.code, started.output()).toBe(2);
      expect(started.stderr()).toMatch(new RegExp(`finch start: .*FINCH_EMULATOR_PORT.*127\\.0\\.0\\.1:${held.port} is already in use`));
      expect(await gone(dir, 5_000)).toEqual([]);
    } finally {
      await held.release();
    }
  });

  it('ends at once, status 2, naming FINCH_PORT when the port is taken, or FINCH_HOST when the address is not this machine’s', async () => {
    const held = await occupiedPort();
    try {
      for (const [env, setting] of [
        [{ FINCH_PORT: String(held.port) }, 'FINCH_PORT'],
        [{ FINCH_HOST: '192.0.2.1', FINCH_PORT: '0' }, 'FINCH_HOST'],
      ] as const) {
        const dir = dataDir();
        const started = launchFinch(['start'], { FINCH_DATA_DIR: dir, DATABASE_URL: await databaseFor(backend), FINCH_DEMO: 'off', ...env });
        const exit = await exitWithin(started, FAIL_FAST_MS);
        expect(exit.code, started.output()).toBe(2);
        expect(started.stderr().trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^finch start: ${setting}: `))]);
        expect(await gone(dir, 5_000)).toEqual([]);
      }
    } finally {
      await held.release();
    }
  });
});

describe('finch emulate', () => {
  it('ends at once, status 2, naming FINCH_EMULATOR_PORT when its port is taken', async () => {
    const held = await occupiedPort();
    const dir = dataDir();
    try {
      const started = launchFinch(['emulate'], {
        FINCH_DATA_DIR: dir,
        FINCH_EMULATOR_DATA_DIR: path.join(dir, 'emulator'),
        FINCH_EMULATOR_PORT: String(held.port),
        FINCH_EMULATOR_TOKEN: 'a-token',
        FINCH_EMULATOR_WEBHOOK_KEY: 'a-key',
      });
      const exit = await exitWithin(started, FAIL_FAST_MS);
      expect(exit.code, started.output()).toBe(2);
      expect(started.stderr().trim()).toMatch(/^finch emulate: FINCH_EMULATOR_PORT .*is already in use/);
    } finally {
      await held.release();
    }
  });
});

describe('an unreachable database at start', () => {
  it('ends at once with one line that names no password', async () => {
    const closed = await occupiedPort();
    await closed.release();
    const dir = dataDir();
    const started = launchFinch(['start'], {
      FINCH_DATA_DIR: dir,
      DATABASE_URL: `postgres://finch:s3cret-pw@127.0.0.1:${closed.port}/finch`,
      FINCH_DEMO: 'off',
    });
    const exit = await exitWithin(started, FAIL_FAST_MS);
    expect(exit.code).not.toBe(0);
    expect(started.stderr().trim().split('\n')).toHaveLength(1);
    expect(started.output()).not.toContain('s3cret-pw');
  });

  it('an SQLite file that cannot be made ends at once with one line', async () => {
    const started = launchFinch(['start'], { FINCH_DATA_DIR: '/dev/null/finch', FINCH_DEMO: 'off' });
    const exit = await exitWithin(started, FAIL_FAST_MS);
    expect(exit.code).not.toBe(0);
    expect(started.stderr().trim().split('\n')).toHaveLength(1);
  });
});
