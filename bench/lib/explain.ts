/**
 * The query plans of get_messages as Finch runs it. Rather than restating Finch's SQL here (where
 * it would drift from src/), the real use case runs over Finch's own store and connection setup,
 * and every compiled query it executes is recorded on its way to the database (Finch runs its
 * reads as precompiled queries through `executeQuery`); each is then explained with its parameters:
 * EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, which also shows how
 * many rows and pages the query actually touched.
 */
import { CompiledQuery } from 'kysely';
import { getMessages } from '../../src/domain/fin/get-messages.js';
import { openDatabase, type Database } from '../../src/store/sql/database.js';
import { SqlFinStore } from '../../src/store/sql/sql-fin-store.js';
import type { FinchTarget } from './finch-process.js';

export interface QueryPlan {
  sql: string;
  parameters: readonly unknown[];
  plan: string[];
}

export async function explainGetMessages(target: FinchTarget, conversationId: string, afterId: string): Promise<QueryPlan[]> {
  const database = openDatabase({ url: target.databaseUrl, dataDir: target.dataDir, poolSize: 1 });
  try {
    const queries: CompiledQuery[] = [];
    // The proxy changes nothing; it sees each executed query and passes it on. Methods are bound
    // to the real instance, whose private fields a proxy could not reach.
    const recording = new Proxy(database.db, {
      get(target, property) {
        if (property === 'executeQuery') {
          return (query: CompiledQuery) => {
            queries.push(query);
            return target.executeQuery(query);
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const store = new SqlFinStore({ ...database, db: recording });
    await getMessages({ store, now: () => new Date() }, { conversation_id: conversationId, after_id: afterId });

    const plans: QueryPlan[] = [];
    for (const query of queries) plans.push({ sql: query.sql, parameters: query.parameters, plan: await explain(database, query) });
    return plans;
  } finally {
    await database.close();
  }
}

async function explain(database: Database, query: CompiledQuery): Promise<string[]> {
  const parameters = [...query.parameters];
  if (database.dialect === 'postgres') {
    const { rows } = await database.db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, parameters));
    return rows.map((row) => row['QUERY PLAN']);
  }
  const { rows } = await database.db.executeQuery<{ id: number; parent: number; detail: string }>(
    CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, parameters),
  );
  // Rows form a tree through `parent`; indent each under its parent, as the sqlite3 shell does.
  const depth = new Map<number, number>([[0, 0]]);
  return rows.map((row) => {
    const level = (depth.get(row.parent) ?? 0) + 1;
    depth.set(row.id, level);
    return `${'  '.repeat(level - 1)}${row.detail}`;
  });
}
