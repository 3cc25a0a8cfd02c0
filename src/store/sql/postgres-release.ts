/**
 * The oldest PostgreSQL release Finch runs on: 13, for `pg_current_snapshot()` (the Fin API's kept
 * answers read it with every token: docs/decisions.md, "Answers kept while nothing changed").
 * Every release still supported upstream (14 and later) has it. Checked once at start, so an older
 * server is refused with a clear message instead of failing every sign-in with a token.
 */
import { type QueryExecutorProvider, sql } from 'kysely';

export const OLDEST_POSTGRES = 130000;

/** Why a server of `versionNum` (`server_version_num`, e.g. 150004) cannot run Finch, or undefined when it can. */
export function postgresTooOld(versionNum: number): string | undefined {
  if (Number.isInteger(versionNum) && versionNum >= OLDEST_POSTGRES) return undefined;
  return `Finch needs PostgreSQL 13 or later; this server is release ${Math.floor(versionNum / 10000)} (server_version_num ${versionNum})`;
}

/** Throws (an Error with `postgresTooOld`'s message) unless the server behind `db` is PostgreSQL 13 or later. */
export async function requireSupportedPostgres(db: QueryExecutorProvider): Promise<void> {
  const { rows } = await sql<{ v: string }>`select current_setting('server_version_num') as v`.execute(db);
  const tooOld = postgresTooOld(Number(rows[0]?.v));
  if (tooOld) throw new Error(tooOld);
}
