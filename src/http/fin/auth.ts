/**
 * Bearer authentication for the Fin API (spec §7). Missing, unknown, expired and revoked tokens
 * get 401 with a `WWW-Authenticate` challenge (RFC 6750); a valid token that is not meant for the
 * Fin API (an agent's personal token) gets 403.
 */
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from '../problem.js';

/**
 * `version`, optional: the store's version as the token was read (`StoreVersion` in store/port.ts).
 * When given, the plugin keeps answers under it instead of reading `FinStore.version` again
 * (kept-answers.ts): on PostgreSQL it comes in the same statement as the token. It must be the
 * version of the database the plugin's `store` reads, or answers would outlive its commits.
 */
export type AuthOutcome = { ok: true; version?: string } | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'forbidden' };

/** Decides whether a bearer token may call the Fin API. */
export type Authenticate = (token: string, request: FastifyRequest) => Promise<AuthOutcome>;

const REALM = 'realm="finch"';

const DESCRIPTIONS = {
  unknown: 'The access token is not valid.',
  expired: 'The access token has expired.',
  revoked: 'The access token has been revoked.',
} as const;

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header ?? '');
  return match?.[1];
}

/** Refuses the request unless its token may call the Fin API; returns the version the outcome gave, if any. */
export async function requireFin(request: FastifyRequest, authenticate: Authenticate): Promise<string | undefined> {
  const token = bearerToken(request.headers.authorization);
  if (token === undefined) {
    throw new HttpProblem(401, 'unauthenticated', 'Send an access token: Authorization: Bearer <token>.', {
      headers: { 'www-authenticate': `Bearer ${REALM}` },
    });
  }
  const outcome = await authenticate(token, request);
  if (outcome.ok) return outcome.version;
  if (outcome.reason === 'forbidden') {
    throw new HttpProblem(403, 'forbidden', 'This token may not call the Fin API; use an OAuth client or a Fin API token.');
  }
  const description = DESCRIPTIONS[outcome.reason];
  throw new HttpProblem(401, `token_${outcome.reason}`, description, {
    headers: { 'www-authenticate': `Bearer ${REALM}, error="invalid_token", error_description="${description}"` },
  });
}
