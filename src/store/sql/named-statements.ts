/**
 * A pg pool for Kysely whose queries run as named prepared statements. PostgreSQL then parses and
 * plans each distinct query once per connection instead of on every call; for Finch's small,
 * frequent reads that planning was a large share of the database's work. Names come from a hash
 * of the SQL text, so the same query always reuses its statement.
 *
 * Errors that mean the database cannot serve (connection refused or lost, the server shutting
 * down or starting up, no free connection in time, a full disk) leave here as
 * `DatabaseUnavailableError` (see errors.ts); `health` hears of refused writes (only /health's probe write says they are over: finch.ts).
 */
import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { translateError, unavailability, type WriteHealth } from './errors.js';

/** Only these can be prepared; anything else (DDL, transaction control) runs as it is. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

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
    const run = async (query: string, values: unknown[]) => {
      if (broken !== undefined) throw broken;
      try {
        return await (PREPARABLE.test(query) ? client.query({ name: nameOf(query), text: query, values }) : client.query(query, values));
      } catch (error) {
        const translated = translateError(error, health);
        if (unavailability(error) === 'connection') broken = translated;
        throw translated;
      }
    };
    return {
      query: ((query: string | object, parameters?: ReadonlyArray<unknown>) => {
        if (typeof query !== 'string') return client.query(query as pg.Submittable);
        return run(query, [...(parameters ?? [])]);
      }) as unknown as PostgresPoolClient['query'],
      // A broken connection is destroyed, never handed out again: its wrapper goes with it. (One
      // found broken only after its release, by a query nobody awaited, fails its next checkout
      // at once with that error and is destroyed then.)
      release: (destroy?: boolean) => client.release(destroy || broken !== undefined || undefined),
    };
  }
}
