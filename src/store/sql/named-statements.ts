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
 * transaction is then four round trips instead of seven (`BEGIN` rides with the locking read, the
 * event and the NOTIFY with `COMMIT`). A held statement that fails fails the statement it rode
 * with, with its own error, and the transaction rolls back as before; a transaction that ends in
 * `ROLLBACK` before anything was sent sends nothing (docs/decisions.md, "Statements held in a
 * PostgreSQL transaction"; bench/README.md, "Cost per agent change").
 *
 * Errors that mean the database cannot serve (connection refused or lost, the server shutting
 * down or starting up, no free connection in time, a full disk) leave here as
 * `DatabaseUnavailableError` (see errors.ts); `health` hears of refused writes (only /health's probe write says they are over: finch.ts).
 */
import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import pg from 'pg';
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
const ROLLBACK_TO_SAVEPOINT = /^\s*rollback\s+to\b/i;

/** What a held statement answers at once: nothing read, nothing counted. */
const nothingRead = (): pg.QueryResult => ({ command: null, rowCount: null, rows: [], fields: [] }) as unknown as pg.QueryResult;

/** What of pg's client the wrapper reaches into: its socket (to cork a batch) and its query timeout. */
interface PipelinedClient {
  connection?: { stream?: { cork?: () => void; uncork?: () => void } };
  connectionParameters?: { query_timeout?: number };
}

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
    let waiting: Statement[] = [];
    const fail = (error: unknown): never => {
      const translated = translateError(error, health);
      // Not reused either: one whose statement pg refused itself, not the server (a value it could
      // not bind). pg then closes the statement on the server yet still counts it as prepared there.
      if (unavailability(error) === 'connection' || !(error instanceof pg.DatabaseError)) broken = translated;
      throw translated;
    };
    /** A statement as pg takes it: named (prepared once per connection) when it can be. */
    const configOf = ({ text, values }: Statement, timeoutMs = 0): pg.QueryConfig => ({
      text,
      values,
      ...(PREPARABLE.test(text) ? { name: nameOf(text) } : {}),
      ...(timeoutMs > 0 ? { query_timeout: timeoutMs } : {}),
    });
    const run = async (statement: Statement) => {
      if (broken !== undefined) throw broken;
      try {
        return await client.query(configOf(statement));
      } catch (error) {
        return fail(error);
      }
    };
    /**
     * Writes the held statements and `last` at once (one socket write), then answers as `last`.
     * Each statement's client-side timeout counts from the write, so the n-th gets n times the
     * pool's: it may wait for each before it. A statement pg refuses before sending it (a value it
     * cannot bind) stops the batch there, so a COMMIT behind it is never sent.
     */
    const runWithHeld = async (last: Statement) => {
      if (broken !== undefined) throw broken;
      const batch = [...waiting, last];
      waiting = [];
      const internals = client as unknown as PipelinedClient;
      const timeout = internals.connectionParameters?.query_timeout ?? 0;
      // One socket write for the batch, as pg corks each query's own messages.
      const stream = internals.connection?.stream;
      stream?.cork?.();
      const sent: Promise<pg.QueryResult>[] = [];
      let refused: unknown;
      try {
        for (const [index, statement] of batch.entries()) {
          let submitting = true;
          sent.push(
            new Promise<pg.QueryResult>((resolve, reject) => {
              client.query(configOf(statement, timeout * (index + 1)), (error: Error | undefined, result: pg.QueryResult) => {
                // The server's answers come later, from the socket: an error now is pg's own.
                if (error && submitting) refused = error;
                if (error) reject(error);
                else resolve(result);
              });
            }),
          );
          submitting = false;
          if (refused !== undefined) break;
        }
      } finally {
        stream?.uncork?.();
      }
      const answers = await Promise.allSettled(sent);
      // Not reused whatever else failed first (see `fail`): pg closed the refused statement.
      if (refused !== undefined) broken = translateError(refused, health);
      // The first failure is the cause: after it PostgreSQL refuses the rest of the transaction
      // (and answers a COMMIT with ROLLBACK, without an error).
      for (const answer of answers) if (answer.status === 'rejected') fail(answer.reason);
      return (answers.at(-1) as PromiseFulfilledResult<pg.QueryResult>).value;
    };
    const query = async (text: string, values: unknown[]): Promise<pg.QueryResult> => {
      if (!inTransaction) {
        if (!TRANSACTION_START.test(text)) return run({ text, values });
        inTransaction = true;
        waiting = [{ text, values }];
        return nothingRead();
      }
      if (text.endsWith(DEFERRABLE)) {
        waiting.push({ text, values });
        return nothingRead();
      }
      // What was held since the savepoint (a savepoint carries what was held before it) is undone
      // by rolling back to it: dropped, not sent.
      if (ROLLBACK_TO_SAVEPOINT.test(text)) waiting = [];
      if (TRANSACTION_END.test(text)) {
        inTransaction = false;
        // Nothing sent yet, not even BEGIN: there is nothing to roll back.
        if (ROLLBACK.test(text) && waiting.length > 0 && TRANSACTION_START.test(waiting[0]!.text)) {
          waiting = [];
          return nothingRead();
        }
        if (ROLLBACK.test(text)) waiting = [];
      }
      return waiting.length === 0 ? run({ text, values }) : runWithHeld({ text, values });
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
        waiting = [];
        client.release(destroy || broken !== undefined || unfinished || undefined);
      },
    };
  }
}
