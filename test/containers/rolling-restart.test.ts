/**
 * A graceful restart of one node behind the shipped proxy loses nothing: two real `finch start`
 * nodes on one PostgreSQL database, with the settings compose.yaml gives them (FINCH_SHUTDOWN_DELAY
 * included), behind the real deploy/Caddyfile run by `caddy run` (only the upstream names and the
 * site address replaced). Clients send GETs and POSTs through Caddy without pause while one node is
 * stopped with SIGTERM and started again: no request fails, and every acknowledged POST is stored
 * exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { runFinch, type ServerProcess, startFinchProcess } from '../support/process.js';
import { createDatabase } from '../support/postgres-server.js';

const root = path.resolve(import.meta.dirname, '../..');
const CADDY = ['/usr/bin/caddy', '/usr/local/bin/caddy'].find((file) => existsSync(file));
/** How long the clients send before, during and after the restart (ms). */
const STOP_AT_MS = 2_000;
const AFTER_RESTART_MS = 3_000;
/** Concurrent clients: enough that a proxy whose node choice races under concurrency shows it (round_robin on Caddy 2.6 failed a POST in 2 of 3 runs with these; CI runs with 2 + 2 clients failed the same way). */
const CLIENTS = { get: 6, post: 8 };

/** The environment compose.yaml gives the nodes (finch-1), with compose's `${VAR:-default}` resolved to the default. */
function composeNodeEnvironment(): Record<string, string> {
  const compose = parse(readFileSync(path.join(root, 'compose.yaml'), 'utf8')) as { services: Record<string, { environment?: Record<string, string> }> };
  const environment = compose.services['finch-1']?.environment ?? {};
  return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value).replace(/\$\{\w+:-([^}]*)\}/g, '$1')]));
}

/** A loopback port free right now (taken, then released) for Caddy, which cannot be told port 0. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const postgresUrl = inject('postgresUrl');

describe('a graceful restart of one node behind deploy/Caddyfile', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('fails no request and stores every acknowledged POST exactly once', { timeout: 90_000 }, async (context) => {
    if (!CADDY) {
      const message = 'caddy is not installed: the rolling-restart test needs it (apt-get install caddy)';
      if (process.env.CI === 'true') throw new Error(message);
      process.stdout.write(`${message}\n`);
      context.skip();
      return;
    }
    if (!postgresUrl) {
      if (process.env.CI === 'true') throw new Error('PostgreSQL is not available: the rolling-restart test needs it');
      context.skip();
      return;
    }
    const databaseUrl = await createDatabase(postgresUrl, 'finch_restart');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-restart-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const compose = composeNodeEnvironment();
    const nodeEnv = {
      DATABASE_URL: databaseUrl,
      FINCH_DATA_DIR: dataDir,
      FINCH_DISPATCHER: compose.FINCH_DISPATCHER,
      FINCH_TRUST_PROXY: compose.FINCH_TRUST_PROXY,
      FINCH_SHUTDOWN_DELAY: compose.FINCH_SHUTDOWN_DELAY,
      FINCH_LOG_LEVEL: 'warn',
    };
    const nodes: ServerProcess[] = [];
    cleanup.push(async () => {
      for (const node of nodes) await node.stop('SIGKILL');
    });
    nodes.push(await startFinchProcess(nodeEnv));
    nodes.push(await startFinchProcess(nodeEnv));
    const ports = nodes.map((node) => new URL(node.baseUrl).port);

    const created = await runFinch(['create-token', '--agent', 'admin@finch.local', '--json'], { DATABASE_URL: databaseUrl, FINCH_DATA_DIR: dataDir });
    expect(created.code, created.stderr).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };

    // The real Caddyfile: only the upstreams' names become the nodes' loopback addresses. Caddy's
    // admin endpoint (a fixed port, 2019) is turned off in a global block put before it.
    const caddyfile = readFileSync(path.join(root, 'deploy/Caddyfile'), 'utf8');
    expect(caddyfile).toMatch(/finch-1:8080/);
    expect(caddyfile).toMatch(/finch-2:8080/);
    const home = mkdtempSync(path.join(os.tmpdir(), 'finch-caddy-'));
    cleanup.push(() => rmSync(home, { recursive: true, force: true }));
    const testCaddyfile = path.join(home, 'Caddyfile');
    writeFileSync(
      testCaddyfile,
      `{\n\tadmin off\n}\n${caddyfile.replaceAll('finch-1:8080', `127.0.0.1:${ports[0]}`).replaceAll('finch-2:8080', `127.0.0.1:${ports[1]}`)}`,
    );
    const proxyPort = await freePort();
    const caddy: ChildProcess = spawn(CADDY, ['run', '--adapter', 'caddyfile', '--config', testCaddyfile], {
      env: { ...process.env, FINCH_DOMAIN: `http://127.0.0.1:${proxyPort}`, HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let caddyLog = '';
    caddy.stdout!.on('data', (chunk: Buffer) => (caddyLog += chunk.toString()));
    caddy.stderr!.on('data', (chunk: Buffer) => (caddyLog += chunk.toString()));
    const caddyClosed = new Promise<void>((resolve) => caddy.on('close', () => resolve()));
    cleanup.push(async () => {
      if (caddy.exitCode === null && caddy.signalCode === null) caddy.kill('SIGTERM');
      await caddyClosed;
    });
    const base = `http://127.0.0.1:${proxyPort}`;
    const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ok = await fetch(`${base}/api/v1/conversations`, { headers }).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline || caddy.exitCode !== null) throw new Error(`Caddy did not come up:\n${caddyLog}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Load: GET and POST loops through Caddy until told to stop.
    const outcomes = new Map<string, number>();
    const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    const acknowledged: string[] = [];
    const failures: string[] = [];
    let running = true;
    let sequence = 0;
    const getLoop = async () => {
      while (running) {
        try {
          const response = await fetch(`${base}/api/v1/conversations`, { headers });
          await response.arrayBuffer();
          count(`GET ${response.status}`);
          if (response.status !== 200) failures.push(`GET ${response.status}`);
        } catch (error) {
          count('GET error');
          failures.push(`GET ${(error as Error).message}`);
        }
      }
    };
    const postLoop = async () => {
      while (running) {
        const shortcut = `r-${sequence++}`;
        try {
          const response = await fetch(`${base}/api/v1/canned-replies`, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify({ shortcut, title: `Reply ${shortcut}`, body: 'Thanks for waiting.' }),
          });
          const text = await response.text();
          count(`POST ${response.status}`);
          if (response.status === 201) acknowledged.push(shortcut);
          else failures.push(`POST ${response.status} ${text.slice(0, 200)}`);
        } catch (error) {
          count('POST error');
          failures.push(`POST ${(error as Error).message}`);
        }
      }
    };
    const loops = [...Array.from({ length: CLIENTS.get }, getLoop), ...Array.from({ length: CLIENTS.post }, postLoop)];

    // Mid-load, the first node is stopped as `docker compose up -d` does, then started again on its port.
    await new Promise((resolve) => setTimeout(resolve, STOP_AT_MS));
    const stoppedAt = Date.now();
    const stopped = await nodes[0]!.stop('SIGTERM');
    const stopMs = Date.now() - stoppedAt;
    expect(stopped.code, stopped.stderr).toBe(0);
    nodes[0] = await startFinchProcess({ ...nodeEnv, FINCH_PORT: ports[0] });
    await new Promise((resolve) => setTimeout(resolve, AFTER_RESTART_MS));
    running = false;
    await Promise.all(loops);

    const summary = JSON.stringify({ ...Object.fromEntries([...outcomes].sort()), stopMs, shutdownDelay: nodeEnv.FINCH_SHUTDOWN_DELAY ?? '0' });
    process.stdout.write(`rolling restart through Caddy: ${summary}\n`);
    context.annotate(`rolling restart through Caddy: ${summary}`);
    const proxyErrors = caddyLog.split('\n').filter((line) => /"level":"error"/.test(line));
    expect(failures, `${summary}\n${proxyErrors.slice(0, 5).join('\n')}`).toEqual([]);
    expect(outcomes.get('GET 200') ?? 0).toBeGreaterThan(0);
    expect(acknowledged.length).toBeGreaterThan(0);

    // Every acknowledged POST is in the database once, and nothing unacknowledged slipped in.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ shortcut: string; n: string }>('SELECT shortcut, count(*) AS n FROM canned_replies GROUP BY shortcut');
      const stored = new Map(rows.map((row) => [row.shortcut, Number(row.n)]));
      expect([...stored.values()].filter((n) => n !== 1)).toEqual([]);
      expect([...stored.keys()].sort()).toEqual([...acknowledged].sort());
    } finally {
      await client.end();
    }
  });
});
