/**
 * The signature report over SQL: one row of `settings`, key `fin_signature_report`, its value the
 * report as JSON (no table of its own: a few dozen lines of report need no migration). Each
 * `record` reads, changes and writes the row in one write transaction, the row locked on
 * PostgreSQL (made first when missing, so there is one to lock), so nodes counting at once
 * add up instead of overwriting each other.
 */
import type { Kysely } from 'kysely';
import {
  EMPTY_SIGNATURE_REPORT,
  withMismatch,
  type SignatureMismatchRecord,
  type SignatureReport,
  type SignatureReportStore,
} from '../signature-report-port.js';
import { atomically, type SqlScope } from './database.js';
import { json } from './rows.js';
import type { Schema } from './schema.js';

const KEY = 'fin_signature_report';

export class SqlSignatureReportStore implements SignatureReportStore {
  constructor(private readonly scope: SqlScope) {}

  record(mismatch: SignatureMismatchRecord, keep: number): Promise<void> {
    return atomically(this.scope, async (trx) => {
      await trx
        .insertInto('settings')
        .values({ key: KEY, value: JSON.stringify(EMPTY_SIGNATURE_REPORT), updated_at: mismatch.at })
        .onConflict((conflict) => conflict.column('key').doNothing())
        .execute();
      const current = await readReport(trx, this.scope.dialect === 'postgres');
      const value = JSON.stringify(withMismatch(current, mismatch, keep));
      await trx.updateTable('settings').set({ value, updated_at: mismatch.at }).where('key', '=', KEY).execute();
    });
  }

  read(): Promise<SignatureReport> {
    return readReport(this.scope.db, false);
  }
}

async function readReport(db: Kysely<Schema>, forUpdate: boolean): Promise<SignatureReport> {
  const query = db.selectFrom('settings').select('value').where('key', '=', KEY);
  const row = await (forUpdate ? query.forUpdate() : query).executeTakeFirst();
  return row ? { ...EMPTY_SIGNATURE_REPORT, ...json<Partial<SignatureReport>>(row.value) } : EMPTY_SIGNATURE_REPORT;
}
