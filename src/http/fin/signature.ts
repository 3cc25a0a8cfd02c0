/**
 * Request signing (spec §7): `X-Fin-Signature` is an HMAC-SHA256, keyed with the signing secret
 * from Fin's settings, of `{X-Fin-Request-Timestamp}:{body}`, or of `{timestamp}:{query parameters
 * sorted by key}` for a request without a body. Digests are accepted as hex or base64, the query
 * raw or URL-encoded; stale timestamps are refused so that a captured request cannot be replayed.
 *
 * The docs do not say how Fin writes a GET's parameters, so a request is judged against several
 * forms (`SignedForm`), the first being the canonical one (the parameters decoded, sorted by key).
 * `judgeSignature` says which form matched, if any, and what Finch computed, without the secret or
 * the received signature, so that a mismatch can be logged and reported (FINCH_SIGNATURE_MODE).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from '../problem.js';

export type SignatureMode = 'enforce' | 'report';

export interface SigningOptions {
  secret: string;
  /** How far (seconds) the timestamp may be from now. Default 300. */
  toleranceSeconds?: number;
  /**
   * `enforce` (the default) refuses a missing, wrong or stale signature with 401; `report` accepts
   * the request, logs and counts each mismatch (FINCH_SIGNATURE_MODE; see signature-checks.ts).
   */
  mode?: SignatureMode;
}

/**
 * What a signature may have been computed over: `body` (the raw body), `query` (the parameters
 * decoded, sorted by key: the canonical form of a request without a body), `query-encoded` (the
 * same, each key and value percent-encoded), `query-as-sent` (the pairs as they came, sorted).
 */
export type SignedForm = 'body' | 'query' | 'query-encoded' | 'query-as-sent';

/** How the received signature was written: never its characters, which could be replayed for a while. */
export type DigestShape = 'hex' | 'base64' | 'unreadable' | 'missing';

/**
 * Why a signature was not the canonical form's: `other_form` (it matched another accepted form),
 * `no_match`, `missing` (no timestamp or signature), `bad_timestamp`, `stale`.
 */
export type SignatureOutcome = 'other_form' | 'no_match' | 'missing' | 'bad_timestamp' | 'stale';

export interface SignatureMismatch {
  outcome: SignatureOutcome;
  /**
   * `{timestamp}:{payload}` in the canonical form, as Finch computed it; a body is described by
   * its length and SHA-256 instead of its text (it may hold a customer's words). Null when there
   * was no usable timestamp.
   */
  canonical: string | null;
  /** The form the signature matched, when not the canonical one; null when none matched. */
  matchedForm: SignedForm | null;
  /** Every form tried, canonical first (none when the signature could not be checked). */
  triedForms: SignedForm[];
  digest: DigestShape;
}

/**
 * A request's signature judged: `accepted` when it matched any accepted form (what enforce mode
 * lets through); `mismatch` when it did not match the canonical form (what report mode reports).
 */
export interface SignatureVerdict {
  accepted: boolean;
  mismatch: SignatureMismatch | undefined;
}

/** Longest canonical string kept for a log line or the report; a query longer than this is cut. */
const CANONICAL_LIMIT = 512;

const CHALLENGE = { 'www-authenticate': 'FinSignature realm="finch"' };

const REFUSALS: Record<Exclude<SignatureOutcome, 'other_form'>, { code: string; detail: (tolerance: number) => string }> = {
  missing: { code: 'signature_missing', detail: () => 'This server requires signed requests: X-Fin-Request-Timestamp and X-Fin-Signature.' },
  bad_timestamp: { code: 'signature_invalid', detail: () => 'X-Fin-Request-Timestamp must be seconds since the epoch.' },
  stale: { code: 'signature_stale', detail: (tolerance) => `X-Fin-Request-Timestamp is more than ${tolerance} s from the server's clock.` },
  no_match: { code: 'signature_invalid', detail: () => 'X-Fin-Signature does not match the request.' },
};

/** Judges a request's signature against every accepted form, canonical first. */
export function judgeSignature(request: FastifyRequest, options: SigningOptions, now: Date): SignatureVerdict {
  const timestamp = header(request, 'x-fin-request-timestamp');
  const signature = header(request, 'x-fin-signature');
  const digest = signature === undefined ? 'missing' : digestShape(signature);
  const refused = (outcome: SignatureOutcome, canonical: string | null = null, triedForms: SignedForm[] = []): SignatureVerdict => ({
    accepted: false,
    mismatch: { outcome, canonical, matchedForm: null, triedForms, digest },
  });
  if (timestamp === undefined || signature === undefined) return refused('missing');
  if (!/^\d{1,12}$/.test(timestamp)) return refused('bad_timestamp');
  const forms = signedForms(request);
  // Described only for a request that is reported or refused: a correctly signed one (nearly every
  // request) pays for no SHA-256 of its body.
  const canonical = () => describeCanonical(timestamp, forms[0]!, request.rawBody);
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > tolerance) return refused('stale', canonical());
  const tried = forms.map(({ form }) => form);
  const given = decodeDigest(signature);
  const matched = forms.find(({ payload }) => {
    const expected = createHmac('sha256', options.secret).update(`${timestamp}:${payload}`).digest();
    return given !== undefined && given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matched) return refused('no_match', canonical(), tried);
  if (matched === forms[0]) return { accepted: true, mismatch: undefined };
  return { accepted: true, mismatch: { outcome: 'other_form', canonical: canonical(), matchedForm: matched.form, triedForms: tried, digest } };
}

/** The 401 a refused signature gets (enforce mode). */
export function signatureRefusal(mismatch: SignatureMismatch, options: SigningOptions): HttpProblem {
  const { code, detail } = REFUSALS[mismatch.outcome === 'other_form' ? 'no_match' : mismatch.outcome];
  return new HttpProblem(401, code, detail(options.toleranceSeconds ?? 300), { headers: CHALLENGE });
}

/** Enforce mode in one call: throws the 401 for a signature that matched no accepted form. */
export function verifySignature(request: FastifyRequest, options: SigningOptions, now: Date): void {
  const verdict = judgeSignature(request, options, now);
  if (!verdict.accepted && verdict.mismatch) throw signatureRefusal(verdict.mismatch, options);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

const HEX = /^[0-9a-f]{64}$/i;
const BASE64 = /^[A-Za-z0-9+/\-_]{43}=?$/;

/** A digest as bytes, from hex or base64 (standard or URL-safe), with an optional `sha256=` prefix. */
function decodeDigest(signature: string): Buffer | undefined {
  const digest = signature.replace(/^sha256=/i, '');
  if (HEX.test(digest)) return Buffer.from(digest, 'hex');
  if (BASE64.test(digest)) return Buffer.from(digest.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return undefined;
}

function digestShape(signature: string): DigestShape {
  const digest = signature.replace(/^sha256=/i, '');
  return HEX.test(digest) ? 'hex' : BASE64.test(digest) ? 'base64' : 'unreadable';
}

/** The forms a request's signature may have been computed over, canonical first. */
function signedForms(request: FastifyRequest): { form: SignedForm; payload: string }[] {
  if (request.rawBody !== undefined) return [{ form: 'body', payload: request.rawBody }];
  return namedQueryForms(request.url);
}

/** What the canonical string is, shown without a body's text. */
function describeCanonical(timestamp: string, canonical: { form: SignedForm; payload: string }, rawBody: string | undefined): string {
  if (canonical.form === 'body') {
    const body = rawBody ?? '';
    const sha256 = createHash('sha256').update(body).digest('hex');
    return `${timestamp}:<body: ${Buffer.byteLength(body)} bytes, sha256 ${sha256}>`;
  }
  const text = `${timestamp}:${canonical.payload}`;
  return text.length > CANONICAL_LIMIT ? `${text.slice(0, CANONICAL_LIMIT)}…` : text;
}

/** The sorted query string in the forms a signer may have used: decoded, URL-encoded, as sent. */
export function queryForms(url: string): string[] {
  return namedQueryForms(url).map(({ payload }) => payload);
}

/** `queryForms` with each form's name; a form that reads the same as an earlier one is left out. */
function namedQueryForms(url: string): { form: SignedForm; payload: string }[] {
  const raw = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  if (raw === '') return [{ form: 'query', payload: '' }];
  const byKey = <T extends [string, string]>(a: T, b: T) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  const decoded = [...new URLSearchParams(raw).entries()].sort(byKey);
  const asSent = raw
    .split('&')
    .filter(Boolean)
    .map((pair): [string, string] => {
      const equals = pair.indexOf('=');
      return equals < 0 ? [pair, ''] : [pair.slice(0, equals), pair.slice(equals + 1)];
    })
    .sort(byKey);
  const join = (pairs: [string, string][], encode: (s: string) => string) => pairs.map(([key, value]) => `${encode(key)}=${encode(value)}`).join('&');
  const forms: { form: SignedForm; payload: string }[] = [
    { form: 'query', payload: join(decoded, (s) => s) },
    { form: 'query-encoded', payload: join(decoded, encodeURIComponent) },
    { form: 'query-as-sent', payload: join(asSent, (s) => s) },
  ];
  return forms.filter(({ payload }, index) => forms.findIndex((other) => other.payload === payload) === index);
}
