/**
 * The signature report an admin reads (`GET /api/v1/settings/fin/signature-report`): how Finch
 * checks Fin's `X-Fin-Signature` (FINCH_SIGNATURE_MODE) and the requests whose signature was not
 * the canonical form's, so that an integrator can see which form Fin signs before enforcing.
 */
import Type, { type Static } from 'typebox';
import { Timestamp } from './models.js';
import { nullable } from './nullable.js';

const Form = Type.Union([Type.Literal('body'), Type.Literal('query'), Type.Literal('query-encoded'), Type.Literal('query-as-sent')], {
  description:
    'body: the raw body; query: the parameters decoded and sorted by key (canonical without a body); query-encoded: the same percent-encoded; query-as-sent: the pairs as sent, sorted',
});

export const SignatureMismatchView = Type.Object(
  {
    at: Timestamp,
    method: Type.String(),
    path: Type.String({ description: 'Without the query string' }),
    outcome: Type.Union([Type.Literal('other_form'), Type.Literal('no_match'), Type.Literal('missing'), Type.Literal('bad_timestamp'), Type.Literal('stale')], {
      description:
        'other_form: it matched an accepted form other than the canonical one (see matched_form); no_match: it matched none; missing: no timestamp or signature; bad_timestamp; stale: the timestamp is outside the tolerance',
    }),
    canonical: nullable(
      Type.String({ description: 'The canonical `{timestamp}:{payload}` Finch computed; a body shown only as its length and SHA-256, never its text' }),
    ),
    matched_form: nullable(Form),
    tried_forms: Type.Array(Form),
    digest: Type.Union([Type.Literal('hex'), Type.Literal('base64'), Type.Literal('unreadable'), Type.Literal('missing')], {
      description: 'How the received signature was written; the signature itself is never kept',
    }),
  },
  { additionalProperties: false },
);
export type SignatureMismatchView = Static<typeof SignatureMismatchView>;

export const SignatureReportView = Type.Object(
  {
    mode: Type.Union([Type.Literal('enforce'), Type.Literal('report'), Type.Literal('off')], {
      description: 'FINCH_SIGNATURE_MODE; off when FINCH_SIGNING_SECRET is not set (nothing is checked)',
    }),
    total: Type.Integer({ minimum: 0, description: 'Requests reported since `since`, on every Finch node of this database' }),
    since: nullable(Timestamp),
    recent: Type.Array(SignatureMismatchView, { description: 'The last ones, newest first' }),
  },
  { additionalProperties: false },
);
export type SignatureReportView = Static<typeof SignatureReportView>;
