/**
 * Statements held in a PostgreSQL transaction (named-statements.ts): BEGIN and the statements
 * marked DEFERRABLE (a change's sync event, its NOTIFY) go out with the transaction's next
 * statement, in one socket write, and PostgreSQL runs them in order. What must hold: the same
 * outcome as sending them one by one (order, errors, all or nothing), fewer round trips.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { openDatabase, writeTransaction, type Database } from '../../src/store/sql/database.js';
import { DEFERRABLE } from '../../src/store/sql/named-statements.js';
import type { Schema } from '../../src/store/sql/schema.js';
import { sqlBackends } from '../support/finch.js';
import { createDatabase } from '../support/postgres-server.js';

/** A statement run for its effect only, as `prepared(…).send` and the change feed's NOTIFY run theirs. */
const held = (db: Kysely<Schema>, id: number, note: string | null) =>
  sql`insert into held_notes (id, note) values (${id}, ${note})${sql.raw(DEFERRABLE)}`.execute(db);
const write = (db: Kysely<Schema>, id: number, note: string) => sql`insert into held_notes (id, note) values (${id}, ${note})`.execute(db);

describe.runIf(sqlBackends().includes('postgres'))('statements held in a PostgreSQL transaction', () => {
  let database: Database;
  let port: number;

  /** How many times Finch's connections wrote to PostgreSQL's socket during `work`: its round trips. */
  async function socketWrites(work: () => Promise<unknown>): Promise<number> {
    const prototype = net.Socket.prototype as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
    const originals = { _write: prototype._write, _writev: prototype._writev };
    let writes = 0;
    for (const name of ['_write', '_writev'] as const) {
      prototype[name] = function (this: net.Socket, ...args: unknown[]) {
        if (this.remotePort === port) writes++;
        return originals[name].apply(this, args);
      };
    }
    try {
      await work();
    } finally {
      Object.assign(prototype, originals);
    }
    return writes;
  }

  const notes = async () => (await sql<{ id: number; note: string }>`select id, note from held_notes order by id`.execute(database.db)).rows;

  beforeAll(async () => {
    const url = await createDatabase(inject('postgresUrl')!);
    port = Number(new URL(url).port);
    database = openDatabase({ url, dataDir: path.join(os.tmpdir(), 'unused'), poolSize: 1 });
    await sql`create table held_notes (id integer primary key, note text not null)`.execute(database.db);
  });

  afterAll(() => database?.close());

  beforeEach(async () => {
    await sql`delete from held_notes`.execute(database.db);
  });

  it('BEGIN rides with the first statement, held statements with COMMIT: two round trips instead of five', async () => {
    const writes = await socketWrites(() =>
      writeTransaction(database, async (trx) => {
        await sql`select id from held_notes where id = ${1} for update`.execute(trx);
        await held(trx, 1, 'one');
        await held(trx, 2, 'two');
      }),
    );

    expect(writes).toBe(2);
    expect(await notes()).toEqual([
      { id: 1, note: 'one' },
      { id: 2, note: 'two' },
    ]);
  });

  it('a held statement runs before the next one: the transaction reads what it wrote', async () => {
    const seen = await writeTransaction(database, async (trx) => {
      await held(trx, 1, 'one');
      return (await sql<{ note: string }>`select note from held_notes where id = ${1}`.execute(trx)).rows;
    });

    expect(seen).toEqual([{ note: 'one' }]);
  });

  it('a held statement that fails fails the transaction with its own error, and nothing of it is kept', async () => {
    await write(database.db, 1, 'kept from before');

    const failing = writeTransaction(database, async (trx) => {
      await write(trx, 2, 'written first');
      await held(trx, 1, 'a duplicate key');
      await held(trx, 3, 'after the failure');
    });

    await expect(failing).rejects.toMatchObject({ code: '23505' });
    expect(await notes()).toEqual([{ id: 1, note: 'kept from before' }]);
    // The connection is clean for its next user.
    await writeTransaction(database, (trx) => write(trx, 4, 'next'));
    expect((await notes()).map((row) => row.id)).toEqual([1, 4]);
  });

  it('a held statement that fails fails the statement it rode with, which the transaction sees', async () => {
    const failing = writeTransaction(database, async (trx) => {
      await held(trx, 1, null);
      await sql`select 1`.execute(trx);
    });

    await expect(failing).rejects.toMatchObject({ code: '23502' });
    expect(await notes()).toEqual([]);
  });

  it('a held statement pg cannot send (a value it cannot bind) stops the batch: the COMMIT behind it is not sent', async () => {
    const unbindable = {
      toPostgres: () => {
        throw new Error('cannot bind this value');
      },
    };
    const failing = writeTransaction(database, async (trx) => {
      await write(trx, 1, 'written first');
      await sql`insert into held_notes (id, note) values (${2}, ${unbindable})${sql.raw(DEFERRABLE)}`.execute(trx);
    });

    await expect(failing).rejects.toThrow('cannot bind this value');
    expect(await notes()).toEqual([]);
  });

  it('what was held after a savepoint is dropped by rolling back to it, and the transaction goes on', async () => {
    await writeTransaction(database, async (trx) => {
      await write(trx, 1, 'before the savepoint');
      await sql`savepoint back`.execute(trx);
      await held(trx, 1, 'a duplicate key, undone with the savepoint');
      await sql`rollback to savepoint back`.execute(trx);
      await write(trx, 2, 'after it');
    });

    expect(await notes()).toEqual([
      { id: 1, note: 'before the savepoint' },
      { id: 2, note: 'after it' },
    ]);
  });

  it('a transaction that fails before sending anything sends nothing, not even BEGIN or ROLLBACK', async () => {
    const writes = await socketWrites(async () => {
      const failing = writeTransaction(database, async (trx) => {
        await held(trx, 1, 'never sent');
        throw new Error('the use case refused');
      });
      await expect(failing).rejects.toThrow('the use case refused');
    });

    expect(writes).toBe(0);
    expect(await notes()).toEqual([]);
  });

  it('a transaction rolled back after its first statement rolls back what it sent and drops what it held', async () => {
    const failing = writeTransaction(database, async (trx) => {
      await write(trx, 1, 'sent');
      await held(trx, 2, 'held');
      throw new Error('the use case refused');
    });

    await expect(failing).rejects.toThrow('the use case refused');
    expect(await notes()).toEqual([]);
    await writeTransaction(database, (trx) => write(trx, 3, 'next'));
    expect(await notes()).toEqual([{ id: 3, note: 'next' }]);
  });

  it('outside a transaction a statement marked deferrable runs at once', async () => {
    await held(database.db, 1, 'at once');

    expect(await notes()).toEqual([{ id: 1, note: 'at once' }]);
  });
});
