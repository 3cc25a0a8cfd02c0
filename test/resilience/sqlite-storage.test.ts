/**
 * SQLite that cannot write: a full disk (a real one, a small tmpfs filled up), a database that
 * refuses writes (read-only), a write lock held by another process past the busy timeout. Writes
 * answer 503 with Retry-After and a problem body, never 500; reads still answer; /health says 503
 * while writes fail, and writes resume (and /health says 200) when the cause is gone.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestFinch, type TestFinch } from '../support/finch.js';
import { startFinchProcess } from '../support/process.js';
import { acknowledged, answerOf, createAccounts, expectOnlySuccessOr503, prepareActors, type Answer } from './load.js';

/** Fills the file system under `dir` to the last byte; returns the filler's path. */
function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = openSync(filler, 'w');
  try {
    for (const size of [1 << 20, 65_536, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

/** The answer to `send`, as the load loops record it. */
const answer = (what: Answer['what'], send: Promise<Response>): Promise<Answer> => answerOf(what, performance.now(), () => send);

function expect503(refused: Answer, code: string | RegExp = 'database_unavailable'): void {
  expect(refused.status).toBe(503);
  expect(Number(refused.retryAfter)).toBeGreaterThan(0);
  expect(refused.contentType).toMatch(/^application\/problem\+json/);
  expect(refused.code).toMatch(code);
}

/** Mounts a tmpfs of `size` at a new directory; undefined when this machine does not let us. */
function mountTmpfs(size: string): string | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'finch-full-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status === 0) return dir;
  // CI runs as root, where mounting works: there a skip would hide a test that never ran.
  if (process.env.CI === 'true')
    throw new Error(`CI=true and the full-disk test cannot mount a tmpfs: ${(mounted.stderr || mounted.error?.message || '').trim()}`);
  process.stderr.write(`\nSKIPPED the full-disk test: cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || '').trim()})\n`);
  rmSync(dir, { recursive: true, force: true });
  return undefined;
}

describe('a Finch process on SQLite when the disk is full', () => {
  let mountDir: string | undefined;
  beforeAll(() => {
    mountDir = mountTmpfs('16m');
  });
  afterAll(() => {
    if (!mountDir) return;
    spawnSync('umount', [mountDir]);
    rmSync(mountDir, { recursive: true, force: true });
  });

  it('answers writes 503 with Retry-After, reports /health 503 while writes fail, and resumes when space returns', { timeout: 60_000 }, async (context) => {
    if (!mountDir) return context.skip();
    const dataDir = path.join(mountDir, 'data');
    mkdirSync(dataDir);
    const env = { FINCH_DATA_DIR: dataDir, FINCH_LOG_LEVEL: 'warn' };
    const accounts = await createAccounts(env);
    const server = await startFinchProcess(env);
    const answers: Answer[] = [];
    try {
      const base = server.baseUrl;
      const actors = await prepareActors(base, accounts, 1);
      const conversationId = actors.conversationIds[0]!;
      const finMessage = (body: string) =>
        answer(
          'fin message',
          fetch(`${base}/api/fin/messages`, {
            method: 'POST',
            headers: { authorization: `Bearer ${actors.finToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ conversation_id: conversationId, body, author: { id: actors.userId, user_type: 'end_user' } }),
          }),
        );
      const agentNote = (body: string) =>
        answer(
          'agent note',
          fetch(`${base}/api/v1/conversations/${conversationId}/messages`, {
            method: 'POST',
            headers: { ...actors.agent.authHeaders(), 'x-csrf-token': actors.agent.csrfToken ?? '', 'content-type': 'application/json' },
            body: JSON.stringify({ body, visibility: 'private' }),
          }),
        );
      const health = () => answer('health', fetch(`${base}/health`));

      answers.push(await finMessage('Before the disk filled'), await agentNote('Noted before'));
      expect(answers.map((a) => a.status)).toEqual([201, 201]);

      const filler = fillDisk(mountDir);
      // The next writes need room the disk no longer has (a large one gets there at once).
      let refused: Answer | undefined;
      for (let i = 0; i < 20 && !refused; i++) {
        const attempt = await finMessage(`${'x'.repeat(50_000)} ${i}`);
        answers.push(attempt);
        if (attempt.status !== 201) refused = attempt;
      }
      expect503(refused!);
      const note = await agentNote('A note on a full disk');
      answers.push(note);
      expect503(note);
      // The token endpoint writes (its rate limit, the token it issues): the same kind of answer.
      const token = await answer(
        'fin message',
        fetch(`${base}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: accounts.clientId, client_secret: accounts.clientSecret }).toString(),
        }),
      );
      expect503(token);
      // Reads still work; /health says the database is failing, again and again while it is.
      const read = await fetch(`${base}/api/fin/messages?conversation_id=${conversationId}`, { headers: { authorization: `Bearer ${actors.finToken}` } });
      expect(read.status).toBe(200);
      for (let i = 0; i < 3; i++) expect((await health()).status).toBe(503);

      unlinkSync(filler);
      // Space is back: /health finds out by itself (no write needed), and writes go through.
      const healthy = await health();
      expect(healthy.status, JSON.stringify(healthy)).toBe(200);
      const after = [await finMessage('After space returned'), await agentNote('Noted after')];
      answers.push(...after);
      expect(after.map((a) => a.status)).toEqual([201, 201]);
      expectOnlySuccessOr503(answers);
      expect(server.child.exitCode, server.output()).toBeNull();
    } finally {
      const stopped = await server.stop();
      expect(stopped.code, stopped.stdout + stopped.stderr).toBe(0);
    }
    // Every acknowledged write is on disk.
    const db = new BetterSqlite3(path.join(dataDir, 'finch.db'), { readonly: true });
    try {
      const ids = acknowledged(answers);
      expect(ids.length).toBeGreaterThanOrEqual(4);
      const found = ids.filter((id) => db.prepare('select 1 from messages where id = ?').get(id));
      expect(found).toEqual(ids);
    } finally {
      db.close();
    }
  });
});

describe('Finch on SQLite when the database refuses writes', () => {
  let finch: TestFinch;
  beforeAll(async () => {
    finch = await startTestFinch('sqlite');
  });
  afterAll(() => finch?.close());

  const createUser = (name: string) =>
    answer(
      'fin message',
      fetch(`${finch.apiUrl}/user`, {
        method: 'POST',
        headers: { authorization: `Bearer ${finch.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      }),
    );

  it('answers 503 while the database is read-only, /health included, and recovers', async () => {
    const database = finch.database!;
    // A read-only database: SQLite answers SQLITE_READONLY to every write, as for a read-only file.
    await sql`pragma query_only = 1`.execute(database.db);
    try {
      expect503(await createUser('Read-only'));
      // The POST-only variant says the same inside its envelope, with the same status and header.
      const enveloped = await fetch(`${finch.apiUrl}/create_user`, {
        method: 'POST',
        headers: { authorization: `Bearer ${finch.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Read-only' }),
      });
      expect(enveloped.status).toBe(503);
      expect(Number(enveloped.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await enveloped.json()).toMatchObject({ data: null, error: { status: 503, code: 'database_unavailable' } });
      // A transaction that writes nothing commits even so: it says nothing about writes.
      await database.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
      });
      const health = await fetch(`${finch.baseUrl}/health`);
      expect(health.status).toBe(503);
      expect(Number(health.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await health.json()).toEqual({ status: 'unavailable', database: 'refusing_writes' });
    } finally {
      await sql`pragma query_only = 0`.execute(database.db);
    }
    expect((await fetch(`${finch.baseUrl}/health`)).status).toBe(200);
    expect((await createUser('Writable again')).status).toBe(201);
  });

  /** The longest the event loop stood still while `work` ran (ms), measured by a 10 ms timer. */
  async function loopStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
    let last = performance.now();
    let stallMs = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      stallMs = Math.max(stallMs, now - last - 10);
      last = now;
    }, 10);
    try {
      return { result: await work(), stallMs };
    } finally {
      clearInterval(timer);
    }
  }

  async function timedHealth(): Promise<{ status: number; ms: number }> {
    const startedAt = performance.now();
    const response = await fetch(`${finch.baseUrl}/health`);
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - startedAt };
  }

  const listAgents = () => fetch(`${finch.apiUrl}/agents`, { headers: { authorization: `Bearer ${finch.token}` } });

  for (const mode of ['immediate', 'exclusive'] as const) {
    it(`waits for another process's write lock (BEGIN ${mode.toUpperCase()}) without stopping the process, and writes once it is released`, {
      timeout: 20_000,
    }, async () => {
      const other = new BetterSqlite3(finch.database!.location);
      other.exec(`begin ${mode}`);
      let releasedAt = 0;
      const release = setTimeout(() => {
        other.exec('rollback');
        releasedAt = performance.now();
      }, 3_000);
      try {
        const { result, stallMs } = await loopStall(async () => {
          const write = createUser(`Waited (${mode})`);
          // Meanwhile the server answers: /health and reads need no write lock in WAL mode.
          const healths: Array<{ status: number; ms: number }> = [];
          for (let i = 0; i < 5; i++) {
            await new Promise((resolve) => setTimeout(resolve, 300));
            healths.push(await timedHealth());
          }
          const read = await listAgents();
          return { written: await write, writtenAt: performance.now(), healths, readStatus: read.status };
        });
        expect(result.healths.map((health) => health.status)).toEqual([200, 200, 200, 200, 200]);
        expect(Math.max(...result.healths.map((health) => health.ms))).toBeLessThan(250);
        expect(result.readStatus).toBe(200);
        // The write waited for the lock (asynchronously) and went through once it was released.
        expect(result.written.status).toBe(201);
        expect(result.writtenAt).toBeGreaterThanOrEqual(releasedAt);
        expect(stallMs).toBeLessThan(250);
        process.stdout.write(
          `SQLite locked (${mode}) 3 s: /health ${result.healths.map((health) => Math.round(health.ms)).join('/')} ms, event loop stalled at most ${Math.round(stallMs)} ms\n`,
        );
      } finally {
        clearTimeout(release);
        if (other.inTransaction) other.exec('rollback');
        other.close();
      }
    });
  }

  it('answers 503 busy when another process holds the write lock past the 5 s budget, without stopping the process meanwhile', {
    timeout: 20_000,
  }, async () => {
    const other = new BetterSqlite3(finch.database!.location);
    other.exec('begin immediate');
    try {
      const startedAt = performance.now();
      const { result, stallMs } = await loopStall(async () => {
        const write = createUser('Locked out');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const health = await timedHealth();
        return { refused: await write, refusedAt: performance.now(), health };
      });
      expect503(result.refused);
      expect(result.refused.retryAfter).toBe('2');
      expect(result.refusedAt - startedAt).toBeGreaterThanOrEqual(4_500);
      expect(result.health.status).toBe(200);
      expect(result.health.ms).toBeLessThan(250);
      expect(stallMs).toBeLessThan(250);
    } finally {
      other.exec('rollback');
      other.close();
    }
    // Contention is not a failing database: /health stays 200, and the next write goes through.
    expect((await fetch(`${finch.baseUrl}/health`)).status).toBe(200);
    expect((await createUser('After the lock')).status).toBe(201);
  });
});
