/**
 * Who is calling the agent API: a browser with the session cookie (and, for any change, the CSRF
 * token in `X-CSRF-Token`), or a script with a personal API token (`Authorization: Bearer`, no
 * CSRF: a browser never adds that header by itself).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateBearer, type Principal } from '../../domain/auth/credentials.js';
import { safeEqual } from '../../domain/auth/secrets.js';
import type { HelpdeskContext } from '../../domain/helpdesk/context.js';
import { checkSession } from '../../domain/helpdesk/sessions/check-session.js';
import type { Agent } from '../../domain/model.js';
import { bearerToken } from '../fin/auth.js';
import { HttpProblem } from '../problem.js';

export const SESSION_COOKIE = 'finch_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Caller {
  agent: Agent;
  /** Set when the caller uses the session cookie. */
  session?: { token: string; csrfToken: string; expiresAt: string };
  /** The personal API token, when the caller uses one. */
  bearer?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

const challenge = { 'www-authenticate': 'Bearer realm="finch"' };

const SESSION_FAILURES = {
  unknown: 'The session is not valid; sign in again.',
  expired: 'The session has expired; sign in again.',
  revoked: 'The session has ended; sign in again.',
  inactive: 'This agent has been deactivated.',
} as const;

/** The caller of a request, or a 401/403 problem. */
export async function authenticateAgent(ctx: HelpdeskContext, request: FastifyRequest): Promise<Caller> {
  const token = bearerToken(request.headers.authorization);
  if (token !== undefined) return viaToken(ctx, token);
  if (request.headers.authorization) {
    throw new HttpProblem(401, 'unauthenticated', 'Use Authorization: Bearer <personal API token>, or sign in.', { headers: challenge });
  }
  const sessionToken = readCookie(request.headers.cookie, SESSION_COOKIE);
  if (sessionToken === undefined) {
    throw new HttpProblem(401, 'unauthenticated', 'Sign in (POST /api/v1/session) or send a personal API token.', { headers: challenge });
  }
  const check = await checkSession(ctx, sessionToken);
  if (!check.ok) throw new HttpProblem(401, `session_${check.reason}`, SESSION_FAILURES[check.reason], { headers: challenge });
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !safeEqual(sent, check.csrfToken)) {
      throw new HttpProblem(403, 'csrf_failed', 'Send the CSRF token from the session in the X-CSRF-Token header.');
    }
  }
  return { agent: check.agent, session: { token: sessionToken, csrfToken: check.csrfToken, expiresAt: check.expiresAt } };
}

async function viaToken(ctx: HelpdeskContext, token: string): Promise<Caller> {
  const result = await authenticateBearer(ctx.access, token, ctx.now());
  if (!result.ok) {
    throw new HttpProblem(401, `token_${result.failure}`, `The token is ${result.failure === 'unknown' ? 'not valid' : result.failure}.`, {
      headers: { 'www-authenticate': 'Bearer realm="finch", error="invalid_token"' },
    });
  }
  if (result.principal.type !== 'agent') throw new HttpProblem(403, 'forbidden', 'This token is for the Fin API; use a personal API token.');
  const agent = await tokenAgent(ctx, result.principal);
  if (!agent?.active) throw new HttpProblem(401, 'session_inactive', SESSION_FAILURES.inactive, { headers: challenge });
  return { agent, bearer: token };
}

/**
 * Whether what a caller authenticated with is still good: the session not signed out, expired or
 * ended, the token not revoked, the agent active. For requests that outlive their authentication
 * (event streams); it does not count as using the session. Throws when the store cannot tell.
 */
export async function callerStillValid(ctx: HelpdeskContext, caller: Caller): Promise<boolean> {
  if (caller.session) return (await checkSession(ctx, caller.session.token, { touch: false })).ok;
  if (caller.bearer === undefined) return false;
  const result = await authenticateBearer(ctx.access, caller.bearer, ctx.now());
  if (!result.ok || result.principal.type !== 'agent') return false;
  return (await tokenAgent(ctx, result.principal))?.active === true;
}

/** The agent a personal token acts as: as read with the token, or else read now. */
async function tokenAgent(ctx: HelpdeskContext, principal: Extract<Principal, { type: 'agent' }>): Promise<Agent | null | undefined> {
  return principal.agent !== undefined ? principal.agent : ctx.accounts.findAgent(principal.agentId);
}

export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error('route registered without authentication');
  return request.caller;
}

/** The value of one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0 && part.slice(0, equals).trim() === name) return decodeURIComponent(part.slice(equals + 1).trim());
  }
  return undefined;
}

/**
 * The session cookie: HTTP-only (scripts cannot read it), SameSite=Lax (not sent on cross-site
 * posts), Secure when Finch is served over HTTPS.
 */
export function setSessionCookie(reply: FastifyReply, value: string, options: { secure: boolean; maxAgeSeconds: number }): void {
  const attributes = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${options.maxAgeSeconds}`];
  if (options.secure) attributes.push('Secure');
  reply.header('set-cookie', attributes.join('; '));
}
