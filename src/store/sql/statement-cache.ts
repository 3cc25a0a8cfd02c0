/**
 * better-sqlite3 as Kysely's SQLite database, with prepared statements kept for reuse. Kysely's
 * driver prepares every query afresh; preparing (parsing and planning the SQL) cost as much CPU as
 * running it in the benchmarks. Statements are keyed by their SQL text, which stays the same from
 * one call to the next while the parameters change.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Enough for every distinct query Finch sends; past it the oldest statement is dropped. */
const CAPACITY = 500;

export function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (!statement) {
        statement = database.prepare(sql) as unknown as SqliteStatement;
        if (statements.size >= CAPACITY) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
    close: () => database.close(),
  };
}
