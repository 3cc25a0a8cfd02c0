/**
 * A pg pool for Kysely whose queries run as named prepared statements. PostgreSQL then parses and
 * plans each distinct query once per connection instead of on every call; for Finch's small,
 * frequent reads that planning was a large share of the database's work. Names come from a hash
 * of the SQL text, so the same query always reuses its statement.
 *
 * Inside a transaction, statements whose answer nobody reads (`BEGIN`, and those marked
 * `DEFERRABLE`: the sync event, the NOTIFY) are not sent on their own: they are held and written to
 * the connection together with the next statement, in one write, and PostgreSQL runs them in order
 * (node-postgres's pipeline mode, https://node-postgres.com/features/pipelining). A note's
 * transaction is then three round trips instead of six (`BEGIN` rides with the locking read, the
 * event and the NOTIFY with `COMMIT`). A held statement that fails fails the statement it rode
 * with, with its own error, and the transaction rolls back as before; a transaction that ends in
 * `ROLLBACK` before anything was sent sends nothing. bench/README.md, "Cost per agent change".
 *
 * Errors that mean the database cannot serve (connection refused or lost, the server shutting
 * down or starting up, no free connection in time, a full disk) leave here as
 * `DatabaseUnavailableError` (see errors.ts); `health` hears of refused writes (only /health's probe write says they are over: finch.ts).
 */
import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { translateError, unavailability, type WriteHealth } from './errors.js';

/**
 * Ends a statement whose answer the caller does not read (it resolves with no rows at once): in a
 * transaction on PostgreSQL it is sent with the next statement. Outside one it runs as usual. At the
 * end, so that the statement still starts with its command (tracing names its span after it).
 */
export const DEFERRABLE = ' /* deferrable */';

/** Only these can be prepared; anything else (DDL, transaction control) runs as it is. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
/** How Kysely starts a transaction (`begin`, or `start transaction` with an isolation level). */
const TRANSACTION_START = /^\s*(begin|start\s+transaction)\b/i;
/** How Kysely ends one (savepoints are `rollback to savepoint …`, which does not end it). */
const TRANSACTION_END = /^\s*(commit|rollback)\s*$/i;
const ROLLBACK = /^\s*rollback\s*$/i;

/** What a held statement answers at once: nothing read, nothing counted. */
const HELD = Object.freeze({ command: null, rowCount: null, rows: [], fields: [] }) as unknown as pg.QueryResult;

interface Statement {
  text: string;
  values: unknown[];
}

export function withNamedStatements(pool: pg.Pool, health?: WriteHealth): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (sql: string) => {
    let name = names.get(sql);
    if (!name) {
      name = `finch_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      names.set(sql, name);
    }
    return name;
  };
  // One wrapper per pg connection, made when the pool first hands it out: Kysely keeps its own
  // connection object per client it is given (a WeakMap), so a new wrapper on every checkout meant
  // new objects on every query outside a transaction.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect(): Promise<PostgresPoolClient> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw translateError(error, health);
      }
      let wrapper = wrappers.get(client);
      if (!wrapper) wrappers.set(client, (wrapper = wrap(client)));
      return wrapper;
    },
    end: () => pool.end(),
  };

  function wrap(client: pg.PoolClient): PostgresPoolClient {
    // A connection that failed as a connection (lost, terminated, or silent past the client's
    // query timeout) is not given back to the pool: pg keeps a timed-out query's connection as
    // it is, and the late answer would be read as the next query's. Nor is it used again before
    // release (a transaction's ROLLBACK would wait behind the unanswered query).
    let broken: unknown;
    /** In a transaction (its BEGIN seen), and the statements held for the next one to carry. */
    let inTransaction = false;
    let held: Statement[] = [];
    const fail = (error: unknown): never => {
      const translated = translateError(error, health);
      if (unavailability(error) === 'connection') broken = translated;
      throw translated;
    };
    const send = ({ text, values }: Statement) => (PREPARABLE.test(text) ? client.query({ name: nameOf(text), text, values }) : client.query(text, values));
    const run = async (statement: Statement) => {
      if (broken !== undefined) throw broken;
      try {
        return await send(statement);
      } catch (error) {
        return fail(error);
      }
    };
    /** Writes the held statements and `last` at once (one socket write), then answers as `last`. */
    const runWithHeld = async (last: Statement) => {
      if (broken !== undefined) throw broken;
      const batch = [...held, last];
      held = [];
      // One socket write for the batch, as pg corks each query's own messages.
      const stream = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
      stream?.cork?.();
      let sent: Promise<pg.QueryResult>[];
      try {
        sent = batch.map(send);
      } finally {
        stream?.uncork?.();
      }
      const answers = await Promise.allSettled(sent);
      // The first failure is the cause: after it PostgreSQL refuses the rest of the transaction
      // (and answers a COMMIT with ROLLBACK, without an error).
      for (const answer of answers) if (answer.status === 'rejected') fail(answer.reason);
      return (answers.at(-1) as PromiseFulfilledResult<pg.QueryResult>).value;
    };
    const query = async (text: string, values: unknown[]): Promise<pg.QueryResult> => {
      if (!inTransaction) {
        if (!TRANSACTION_START.test(text)) return run({ text, values });
        inTransaction = true;
        held = [{ text, values }];
        return HELD;
      }
      if (text.endsWith(DEFERRABLE)) {
        held.push({ text, values });
        return HELD;
      }
      if (TRANSACTION_END.test(text)) {
        inTransaction = false;
        // Nothing sent yet, not even BEGIN: there is nothing to roll back.
        if (ROLLBACK.test(text) && held.length > 0 && TRANSACTION_START.test(held[0]!.text)) {
          held = [];
          return HELD;
        }
        if (ROLLBACK.test(text)) held = [];
      }
      return held.length === 0 ? run({ text, values }) : runWithHeld({ text, values });
    };
    return {
      query: ((text: string | object, parameters?: ReadonlyArray<unknown>) => {
        if (typeof text !== 'string') return client.query(text as pg.Submittable);
        return query(text, [...(parameters ?? [])]);
      }) as unknown as PostgresPoolClient['query'],
      // A broken connection is destroyed, never handed out again: its wrapper goes with it. (One
      // found broken only after its release, by a query nobody awaited, fails its next checkout
      // at once with that error and is destroyed then.) One released in a transaction Kysely did
      // not end (it always ends them) is destroyed too: nothing held may reach its next user.
      release: (destroy?: boolean) => {
        const unfinished = inTransaction;
        inTransaction = false;
        held = [];
        client.release(destroy || broken !== undefined || unfinished || undefined);
      },
    };
  }
}
