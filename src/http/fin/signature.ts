/**
 * Request signing (spec §7): `X-Fin-Signature` is an HMAC-SHA256, keyed with the signing secret
 * from Fin's settings, of `{X-Fin-Request-Timestamp}:{body}`, or of `{timestamp}:{query parameters
 * sorted by key}` for a request without a body. Digests are accepted as hex or base64, the query
 * raw or URL-encoded; stale timestamps are refused so that a captured request cannot be replayed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from '../problem.js';

export interface SigningOptions {
  secret: string;
  /** How far (seconds) the timestamp may be from now. Default 300. */
  toleranceSeconds?: number;
}

const CHALLENGE = { 'www-authenticate': 'FinSignature realm="finch"' };

function refuse(code: string, detail: string): HttpProblem {
  return new HttpProblem(401, code, detail, { headers: CHALLENGE });
}

export function verifySignature(request: FastifyRequest, options: SigningOptions, now: Date): void {
  const timestamp = header(request, 'x-fin-request-timestamp');
  const signature = header(request, 'x-fin-signature');
  if (timestamp === undefined || signature === undefined) {
    throw refuse('signature_missing', 'This server requires signed requests: X-Fin-Request-Timestamp and X-Fin-Signature.');
  }
  if (!/^\d{1,12}$/.test(timestamp)) throw refuse('signature_invalid', 'X-Fin-Request-Timestamp must be seconds since the epoch.');
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > tolerance) {
    throw refuse('signature_stale', `X-Fin-Request-Timestamp is more than ${tolerance} s from the server's clock.`);
  }
  const given = decodeDigest(signature);
  const payloads = request.rawBody ? [request.rawBody] : queryForms(request.url);
  const matches = payloads.some((payload) => {
    const expected = createHmac('sha256', options.secret).update(`${timestamp}:${payload}`).digest();
    return given !== undefined && given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw refuse('signature_invalid', 'X-Fin-Signature does not match the request.');
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

/** A digest as bytes, from hex or base64 (standard or URL-safe), with an optional `sha256=` prefix. */
function decodeDigest(signature: string): Buffer | undefined {
  const digest = signature.replace(/^sha256=/i, '');
  if (/^[0-9a-f]{64}$/i.test(digest)) return Buffer.from(digest, 'hex');
  if (/^[A-Za-z0-9+/\-_]{43}=?$/.test(digest)) return Buffer.from(digest.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return undefined;
}

/** The sorted query string in the forms a signer may have used: decoded, URL-encoded, as sent. */
export function queryForms(url: string): string[] {
  const raw = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  if (raw === '') return [''];
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
  return [...new Set([join(decoded, (s) => s), join(decoded, encodeURIComponent), join(asSent, (s) => s)])];
}
