/**
 * The signature report (FINCH_SIGNATURE_MODE=report): the requests to the Fin API whose
 * `X-Fin-Signature` was not the canonical form's, counted in the database so that every Finch
 * process on it adds to one report, and it survives a restart. Kept: a total, when counting began,
 * and the last few mismatches (newest first).
 */

/** One reported request. Never the secret and never the received signature, only its shape. */
export interface SignatureMismatchRecord {
  /** ISO 8601. */
  at: string;
  method: string;
  /** The request's path, without its query (the canonical string carries the parameters). */
  path: string;
  /** Why: `other_form`, `no_match`, `missing`, `bad_timestamp` or `stale` (http/fin/signature.ts). */
  outcome: string;
  /** `{timestamp}:{payload}` as Finch computed it in the canonical form; a body only as its length and SHA-256. */
  canonical: string | null;
  /** The accepted form the signature matched, when not the canonical one; null when none did. */
  matchedForm: string | null;
  /** The forms tried, canonical first. */
  triedForms: string[];
  /** How the received signature was written: `hex`, `base64`, `unreadable` or `missing`. */
  digest: string;
}

export interface SignatureReport {
  /** Mismatches counted since `since`. */
  total: number;
  /** When the first was counted (ISO 8601), null before any. */
  since: string | null;
  /** The last ones, newest first, at most the `keep` of the latest `record`. */
  recent: SignatureMismatchRecord[];
}

export const EMPTY_SIGNATURE_REPORT: SignatureReport = { total: 0, since: null, recent: [] };

export interface SignatureReportStore {
  /** Counts one mismatch and keeps it among the last `keep`; atomic against other processes. */
  record(mismatch: SignatureMismatchRecord, keep: number): Promise<void>;
  read(): Promise<SignatureReport>;
}

/** Adds a mismatch to a report: the rule every store applies. */
export function withMismatch(report: SignatureReport, mismatch: SignatureMismatchRecord, keep: number): SignatureReport {
  return { total: report.total + 1, since: report.since ?? mismatch.at, recent: [mismatch, ...report.recent].slice(0, keep) };
}

/** The report in this process's memory: for a Fin API served without a database (the in-memory store). */
export class InProcessSignatureReport implements SignatureReportStore {
  private report = EMPTY_SIGNATURE_REPORT;

  async record(mismatch: SignatureMismatchRecord, keep: number): Promise<void> {
    this.report = withMismatch(this.report, mismatch, keep);
  }

  async read(): Promise<SignatureReport> {
    return this.report;
  }
}
