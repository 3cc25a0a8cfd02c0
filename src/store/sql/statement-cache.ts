/**
 * better-sqlite3 as Kysely's SQLite database, with prepared statements kept for reuse. Kysely's
 * driver prepares every query afresh; preparing (parsing and planning the SQL) cost as much CPU as
 * running it in the benchmarks. Statements are keyed by their SQL text, which stays the same from
 * one call to the next while the parameters change.
 *
 * Errors that mean the database cannot serve (a full disk, a read-only file, an I/O error, a lock
 * held by another process: SQLITE_BUSY, which sqlite-busy.ts waits out asynchronously) leave here
 * as `DatabaseUnavailableError` (see errors.ts), and `health` hears of refused writes (only
 * /health's probe write says they are over: finch.ts).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { translateError, type WriteHealth } from './errors.js';

/** Enough for every distinct query Finch sends; past it the oldest statement is dropped. */
const CAPACITY = 500;

export function withStatementCache(database: BetterSqlite3.Database, health?: WriteHealth): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  const guarded = <T>(work: () => T): T => {
    try {
      return work();
    } catch (error) {
      throw translateError(error, health);
    }
  };
  return {
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (!statement) {
        const prepared = guarded(() => database.prepare(sql));
        const raw = prepared as unknown as SqliteStatement;
        statement = {
          reader: prepared.reader,
          all: (parameters) => guarded(() => raw.all(parameters)),
          run: (parameters) => guarded(() => raw.run(parameters)),
          iterate: (parameters) => guarded(() => raw.iterate(parameters)),
        };
        if (statements.size >= CAPACITY) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
    close: () => database.close(),
  };
}
