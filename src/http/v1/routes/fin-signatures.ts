/**
 * `GET /api/v1/settings/fin/signature-report` (admins): how Fin's request signatures are checked
 * (FINCH_SIGNATURE_MODE) and the last requests not signed in the canonical form, counted by every
 * Finch node on this database, so that an integrator sees which form Fin signs before enforcing.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { SignatureReportView, type SignatureMismatchView } from '../../../contract/signature-report.js';
import { readSignatureReport, type SignatureCheckMode } from '../../../domain/helpdesk/fin/read-signature-report.js';
import type { SignatureMismatchRecord, SignatureReportStore } from '../../../store/signature-report-port.js';
import { callerOf } from '../auth.js';
import { routeSchema } from '../route-schema.js';

/** What the route reports on: the mode the Fin API runs in (`off` without a signing secret) and where mismatches are counted. */
export interface SignatureReportSource {
  mode: SignatureCheckMode;
  report: SignatureReportStore;
}

export const finSignatureRoutes: FastifyPluginAsync<{ signatures: SignatureReportSource }> = async (fastify, { signatures }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/settings/fin/signature-report',
    {
      schema: routeSchema(
        {
          operationId: 'getSignatureReport',
          summary: 'Request signature report (admin)',
          description:
            'FINCH_SIGNATURE_MODE, and the requests to the Fin API whose X-Fin-Signature was not the canonical form (report mode counts them): the last 20, newest first, and a total.',
          response: { 200: SignatureReportView },
        },
        ['Agent API: settings'],
      ),
    },
    async (request) => {
      const report = await readSignatureReport(callerOf(request).agent, signatures);
      return { mode: report.mode, total: report.total, since: report.since, recent: report.recent.map(presentMismatch) };
    },
  );
};

/** A stored mismatch as the API spells it; the store keeps what http/fin/signature.ts wrote, whose names the view lists. */
function presentMismatch(entry: SignatureMismatchRecord): SignatureMismatchView {
  const { at, method, path, outcome, canonical, matchedForm, triedForms, digest } = entry;
  return { at, method, path, outcome, canonical, matched_form: matchedForm, tried_forms: triedForms, digest } as SignatureMismatchView;
}
