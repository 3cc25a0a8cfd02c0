/**
 * The change feed on PostgreSQL: one LISTEN connection per process carries the inbox's changes,
 * the dispatchers' wake-ups and the routers'; when it is lost, the feed listens again (on every channel
 * it had), tells dispatchers of the trouble and wakes them, since notifications may have been
 * missed. On SQLite there is nothing to listen to for the outbox, and routers hear this process's
 * routable commits and that they may have missed another process's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LISTENER_APPLICATION_NAME } from '../../src/store/sql/change-feed.js';
import { openDatabase, writeTransaction, type Database } from '../../src/store/sql/database.js';
import { sqlBackends } from '../support/finch.js';
import { createDatabase } from '../support/postgres-server.js';

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A transaction that changed `conversationIds` and, with `outbox`, wrote to the outbox; with `routable`, may give routing work. */
const write = (database: Database, conversationIds: string[], outbox: boolean, routable = false) =>
  writeTransaction(database, async (_trx, changed) => {
    for (const id of conversationIds) changed.add(id);
    changed.outboxWritten = outbox;
    changed.routable = routable;
  });

describe.runIf(sqlBackends().includes('postgres'))('the change feed on PostgreSQL', () => {
  let listener: Database;
  let writer: Database;
  const wakes: number[] = [];
  const troubles: string[] = [];
  const changes: string[][] = [];
  let missed = 0;
  let routable = 0;
  let routingMissed = 0;

  const listenerConnections = async () => {
    const { rows } = await sql<{ pid: number }>`
      select pid from pg_stat_activity where application_name = ${LISTENER_APPLICATION_NAME} and datname = current_database()`.execute(writer.db);
    return rows;
  };

  beforeAll(async () => {
    const url = await createDatabase(inject('postgresUrl')!);
    const dataDir = path.join(os.tmpdir(), 'unused');
    listener = openDatabase({ url, dataDir, poolSize: 2 });
    writer = openDatabase({ url, dataDir, poolSize: 2 });
    await listener.changes.subscribe(
      (ids) => changes.push(ids),
      () => missed++,
    );
    await listener.changes.wakeOnOutboxWrites(
      () => wakes.push(Date.now()),
      (error) => troubles.push(error.message),
    );
    await listener.changes.subscribeRouting(
      () => routable++,
      () => routingMissed++,
    );
  });
  afterAll(async () => {
    await listener?.close();
    await writer?.close();
  });

  it("tells routers of another process's routable change, in the same statement as the others, and only of that", async () => {
    const before = routable;
    await write(writer, ['conv_r1'], false);
    await until(() => changes.some((ids) => ids.includes('conv_r1')));
    expect(routable).toBe(before);
    await write(writer, ['conv_r2'], true, true);
    await until(() => routable === before + 1 && changes.some((ids) => ids.includes('conv_r2')));
    await write(writer, [], false, true);
    await until(() => routable === before + 2);
  });

  it('holds one connection for the inbox, the dispatchers and the routers', async () => {
    expect(await listenerConnections()).toHaveLength(1);
  });

  it("wakes dispatchers when another process's transaction wrote to the outbox, and only then", async () => {
    const before = wakes.length;
    await write(writer, ['conv_a'], false);
    await until(() => changes.some((ids) => ids.includes('conv_a')));
    expect(wakes.length).toBe(before);
    await write(writer, ['conv_b'], true);
    await until(() => wakes.length === before + 1 && changes.some((ids) => ids.includes('conv_b')));
    await write(writer, [], true);
    await until(() => wakes.length === before + 2);
  });

  it('listens again on every channel after losing its connection, reporting the trouble and waking dispatchers', async () => {
    const [connection] = await listenerConnections();
    const wakesBefore = wakes.length;
    const missedBefore = missed;
    const routingMissedBefore = routingMissed;
    await sql`select pg_terminate_backend(${connection!.pid})`.execute(writer.db);
    await until(() => troubles.length > 0 && missed === missedBefore + 1 && routingMissed === routingMissedBefore + 1 && wakes.length > wakesBefore);
    const afterReconnect = wakes.length;
    const routableBefore = routable;
    await write(writer, ['conv_c'], true, true);
    await until(() => wakes.length > afterReconnect && changes.some((ids) => ids.includes('conv_c')) && routable === routableBefore + 1);
    expect(await listenerConnections()).toHaveLength(1);
  });
});

describe.runIf(sqlBackends().includes('postgres'))('the change feed on PostgreSQL, opened by a dispatcher', () => {
  let listener: Database;
  let writer: Database;

  beforeAll(async () => {
    const url = await createDatabase(inject('postgresUrl')!);
    const dataDir = path.join(os.tmpdir(), 'unused');
    listener = openDatabase({ url, dataDir, poolSize: 2 });
    writer = openDatabase({ url, dataDir, poolSize: 2 });
  });
  afterAll(async () => {
    await listener?.close();
    await writer?.close();
  });

  it("adds the inbox's channel to the dispatcher's connection, for subscribers arriving at once", async () => {
    const wakes: number[] = [];
    await listener.changes.wakeOnOutboxWrites(
      () => wakes.push(1),
      () => undefined,
    );
    const seenByFirst: string[] = [];
    const seenBySecond: string[] = [];
    await Promise.all([listener.changes.subscribe((ids) => seenByFirst.push(...ids)), listener.changes.subscribe((ids) => seenBySecond.push(...ids))]);
    await write(writer, ['conv_x'], true);
    await until(() => seenByFirst.includes('conv_x') && seenBySecond.includes('conv_x') && wakes.length === 1);
  });

  it('goes on waking the other dispatchers when one of them throws', async () => {
    await listener.changes.wakeOnOutboxWrites(
      () => {
        throw new Error('a broken dispatcher');
      },
      () => undefined,
    );
    const wakes: number[] = [];
    await listener.changes.wakeOnOutboxWrites(
      () => wakes.push(1),
      () => undefined,
    );
    await write(writer, [], true);
    await write(writer, [], true);
    await until(() => wakes.length === 2);
  });
});

describe('the change feed on SQLite', () => {
  it("tells this process's routers of its routable commits only, and that they may have missed some when another process wrote", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-feed-'));
    const database = openDatabase({ dataDir });
    const other = openDatabase({ dataDir });
    try {
      let routable = 0;
      let missed = 0;
      const stop = await database.changes.subscribeRouting(
        () => routable++,
        () => missed++,
      );
      await write(database, ['conv_a'], true);
      expect(routable).toBe(0);
      await write(database, ['conv_b'], false, true);
      await write(database, [], false, true);
      expect(routable).toBe(2);
      // Another process's commit: SQLite cannot say what it was, so routers look again.
      await writeTransaction(other, async (trx) => {
        await sql`create table probe (x)`.execute(trx);
      });
      await until(() => missed === 1);
      await stop();
      await write(database, ['conv_c'], false, true);
      expect(routable).toBe(2);
    } finally {
      await other.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('has no outbox notifications to listen to (dispatchers in other processes poll)', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-feed-'));
    const database = openDatabase({ dataDir });
    try {
      const wakes: number[] = [];
      const stop = await database.changes.wakeOnOutboxWrites(
        () => wakes.push(1),
        () => undefined,
      );
      await write(database, ['conv_a'], true);
      await stop();
      expect(wakes).toEqual([]);
    } finally {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
