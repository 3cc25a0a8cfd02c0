/**
 * What the Fin API does with a request's signature (FINCH_SIGNATURE_MODE): `enforce` refuses one
 * that matches no accepted form (401) and logs a warning with what was tried; `report` accepts
 * every request and, for each whose signature was not the canonical form's (matched another
 * form, none, or was missing or stale), logs one warning and counts it in the signature report.
 * The log and the report carry the canonical string Finch computed (a body only as its length and
 * SHA-256), the forms tried and the one matched, and the received signature's shape: never the
 * secret, never the signature. Only requests with a valid bearer token get this far.
 */
import type { FastifyRequest } from 'fastify';
import { InProcessSignatureReport, type SignatureReportStore } from '../../store/signature-report-port.js';
import { scrubSecrets } from '../logging.js';
import { judgeSignature, signatureRefusal, type SignatureMismatch, type SigningOptions } from './signature.js';

/** How many of the last mismatches the report keeps. */
export const REPORT_KEEPS = 20;

export interface SignatureChecks {
  /** Judges the signature; throws the 401 in enforce mode. Synchronous: the body parser calls it. */
  check: (request: FastifyRequest) => void;
  /** Counts what `check` found to report, if anything; a failure to count is logged, never the request's. */
  report: (request: FastifyRequest) => Promise<void>;
}

export function signatureChecks(options: SigningOptions, store: SignatureReportStore = new InProcessSignatureReport(), now: () => Date): SignatureChecks {
  const mode = options.mode ?? 'enforce';
  const found = new WeakMap<FastifyRequest, SignatureMismatch>();
  return {
    check(request) {
      const { accepted, mismatch } = judgeSignature(request, options, now());
      if (!mismatch) return;
      const signature = { mode, ...loggable(mismatch) };
      if (mode === 'enforce') {
        if (accepted) return request.log.debug({ signature }, 'request signed in an accepted form other than the canonical one');
        request.log.warn({ signature }, 'request signature refused');
        throw signatureRefusal(mismatch, options);
      }
      request.log.warn(
        { signature },
        accepted
          ? 'request signature matched another form than the canonical one; reported (FINCH_SIGNATURE_MODE=report)'
          : 'request signature mismatch accepted and reported (FINCH_SIGNATURE_MODE=report)',
      );
      found.set(request, mismatch);
    },
    async report(request) {
      const mismatch = found.get(request);
      if (!mismatch) return;
      found.delete(request);
      const { canonical, matched_form, tried_forms, outcome, digest } = loggable(mismatch);
      const record = { at: now().toISOString(), method: request.method, path: request.url.split('?')[0]!, outcome, canonical, digest };
      try {
        await store.record({ ...record, matchedForm: matched_form, triedForms: tried_forms }, REPORT_KEEPS);
      } catch (error) {
        request.log.warn({ err: error }, 'a request signature mismatch could not be counted');
      }
    },
  };
}

/** The mismatch in the log's spelling, the values of secret-looking parameters in its canonical string censored as in every logged URL. */
function loggable(mismatch: SignatureMismatch) {
  return {
    outcome: mismatch.outcome,
    canonical: mismatch.canonical === null ? null : scrubCanonical(mismatch.canonical),
    matched_form: mismatch.matchedForm,
    tried_forms: mismatch.triedForms,
    digest: mismatch.digest,
  };
}

/** `{timestamp}:{k=v&…}` with secret-looking values censored: the first parameter too, which follows the colon, not a `&`. */
function scrubCanonical(canonical: string): string {
  const colon = canonical.indexOf(':');
  return `${canonical.slice(0, colon + 1)}${scrubSecrets(`&${canonical.slice(colon + 1)}`).slice(1)}`;
}
