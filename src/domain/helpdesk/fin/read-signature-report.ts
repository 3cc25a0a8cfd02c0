import type { SignatureReport, SignatureReportStore } from '../../../store/signature-report-port.js';
import type { Agent } from '../../model.js';
import { requireAdmin } from '../require-admin.js';

/** How the Fin API checks request signatures: FINCH_SIGNATURE_MODE, or `off` without a signing secret. */
export type SignatureCheckMode = 'enforce' | 'report' | 'off';

/**
 * Admin → Fin settings' signature report: the mode and the requests whose `X-Fin-Signature` was
 * not the canonical form's, as every node counted them (newest first). Admins only (403
 * otherwise). Rule: docs/decisions.md, "Signature roll-out".
 */
export async function readSignatureReport(
  admin: Agent,
  source: { mode: SignatureCheckMode; report: SignatureReportStore },
): Promise<SignatureReport & { mode: SignatureCheckMode }> {
  requireAdmin(admin);
  return { mode: source.mode, ...(await source.report.read()) };
}
