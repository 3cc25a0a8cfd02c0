/**
 * The query plans of get_messages as Finch runs it. Rather than restating Finch's SQL here (where
 * it would drift from src/), the real use case runs over Finch's own store and connection setup,
 * and a Kysely plugin records each query it sends; each is then explained with its parameters:
 * EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, which also shows how
 * many rows and pages the query actually touched.
 */
import { CompiledQuery, type KyselyPlugin, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
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
    // The plugin changes nothing; it only sees each query on its way out and compiles it the way
    // the executor is about to.
    const recorder: KyselyPlugin = {
      transformQuery: ({ node, queryId }) => {
        queries.push(database.db.getExecutor().compileQuery(node as RootOperationNode, queryId));
        return node;
      },
      transformResult: async ({ result }) => result as QueryResult<UnknownRow>,
    };
    const store = new SqlFinStore({ ...database, db: database.db.withPlugin(recorder) });
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
