/**
 * Bearer authentication for the Fin API (spec §7). Missing, unknown, expired and revoked tokens
 * get 401 with a `WWW-Authenticate` challenge (RFC 6750); a valid token that is not meant for the
 * Fin API (an agent's personal token) gets 403.
 */
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from '../problem.js';

export type AuthOutcome = { ok: true } | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'forbidden' };

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

export async function requireFin(request: FastifyRequest, authenticate: Authenticate): Promise<void> {
  const token = bearerToken(request.headers.authorization);
  if (token === undefined) {
    throw new HttpProblem(401, 'unauthenticated', 'Send an access token: Authorization: Bearer <token>.', {
      headers: { 'www-authenticate': `Bearer ${REALM}` },
    });
  }
  const outcome = await authenticate(token, request);
  if (outcome.ok) return;
  if (outcome.reason === 'forbidden') {
    throw new HttpProblem(403, 'forbidden', 'This token may not call the Fin API; use an OAuth client or a Fin API token.');
  }
  const description = DESCRIPTIONS[outcome.reason];
  throw new HttpProblem(401, `token_${outcome.reason}`, description, {
    headers: { 'www-authenticate': `Bearer ${REALM}, error="invalid_token", error_description="${description}"` },
  });
}
