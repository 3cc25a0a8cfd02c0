/**
 * The SQLite file's version (`FinStore.version`): a value that moves whenever anything is
 * committed to it, by this process or another one (a `finch worker`, a CLI command).
 *
 * It is two of SQLite's counters read together: `PRAGMA data_version`, which moves when another
 * connection committed, and `total_changes()`, the rows this connection has inserted, updated or
 * deleted since it opened (triggers included). The latter also counts the writes of a transaction
 * still open on this connection, and never goes back when one rolls back: the version moves a little
 * more often than strictly needed, never less. A read of it while another request's transaction
 * holds the connection is therefore safe too: the transaction's rows so far are in it, and its later
 * ones move it again.
 *
 * Costs 4–9 µs (the pragma starts a read transaction: the WAL index and its lock calls), so the
 * credential store reads it once per event-loop turn for all that turn's requests (`SharedRead`);
 * `total_changes()` alone is 0.1 µs.
 * `undefined` when it cannot be read (SQLite busy with a checkpoint restarting the WAL, the file
 * closed): nothing is kept that time, and the reads that follow say what is wrong, if anything.
 */
import type BetterSqlite3 from 'better-sqlite3';

export function sqliteStoreVersion(sqlite: BetterSqlite3.Database): () => string | undefined {
  let dataVersion: BetterSqlite3.Statement | undefined;
  let totalChanges: BetterSqlite3.Statement | undefined;
  return () => {
    try {
      dataVersion ??= sqlite.prepare('PRAGMA data_version').pluck();
      totalChanges ??= sqlite.prepare('SELECT total_changes()').pluck();
      return `${dataVersion.get() as number}.${totalChanges.get() as number}`;
    } catch {
      return undefined;
    }
  };
}
