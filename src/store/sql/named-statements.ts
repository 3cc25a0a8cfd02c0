/**
 * A pg pool for Kysely whose queries run as named prepared statements. PostgreSQL then parses and
 * plans each distinct query once per connection instead of on every call; for Finch's small,
 * frequent reads that planning was a large share of the database's work. Names come from a hash
 * of the SQL text, so the same query always reuses its statement.
 */
import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** Only these can be prepared; anything else (DDL, transaction control) runs as it is. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

export function withNamedStatements(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (sql: string) => {
    let name = names.get(sql);
    if (!name) {
      name = `finch_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      names.set(sql, name);
    }
    return name;
  };
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      return {
        query: ((query: string | object, parameters?: ReadonlyArray<unknown>) => {
          if (typeof query !== 'string') return client.query(query as pg.Submittable);
          const values = [...(parameters ?? [])];
          return PREPARABLE.test(query) ? client.query({ name: nameOf(query), text: query, values }) : client.query(query, values);
        }) as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
      };
    },
    end: () => pool.end(),
  };
}
