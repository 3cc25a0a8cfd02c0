/**
 * Signing in: an agent's email and password give a session (an HTTP-only cookie holding a random
 * token, stored hashed) and a CSRF token the browser sends back with every change. Sessions last
 * 7 days at most and end after 12 hours without use.
 */
import { randomBytes } from 'node:crypto';
import { generateSecret, hashPassword, hashToken, verifyPassword } from '../auth/secrets.js';
import { FinError } from '../errors.js';
import type { Agent } from '../model.js';
import type { HelpdeskContext } from './context.js';

export const SESSION_LIFETIME_MS = 7 * 86_400_000;
export const SESSION_IDLE_MS = 12 * 3_600_000;
/** last_seen_at is written at most this often, not on every request. */
const TOUCH_EVERY_MS = 5 * 60_000;
const SESSION_PREFIX = 'fss_';

export interface SignedIn {
  sessionToken: string;
  csrfToken: string;
  agent: Agent;
  expiresAt: string;
}

let dummyHash: Promise<string> | undefined;
/** Checked when no agent has the email, so that the answer takes as long either way. */
const passwordToWasteTimeOn = () => (dummyHash ??= hashPassword(randomBytes(16).toString('hex')));

const invalidCredentials = () => new FinError('unauthenticated', 'invalid_credentials', 'The email or password is wrong.');

export async function signIn(ctx: HelpdeskContext, input: { email: string; password: string }): Promise<SignedIn> {
  const found = await ctx.accounts.findCredentials(input.email.trim());
  const matches = await verifyPassword(input.password, found?.passwordHash ?? (await passwordToWasteTimeOn()));
  if (!found || !found.passwordHash || !matches) throw invalidCredentials();
  if (!found.agent.active || found.agent.isFin) throw invalidCredentials();

  const now = ctx.now();
  const sessionToken = generateSecret(SESSION_PREFIX);
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS).toISOString();
  await ctx.accounts.insertSession({ tokenHash: hashToken(sessionToken), agentId: found.agent.id, csrfToken, at: now.toISOString(), expiresAt });
  return { sessionToken, csrfToken, agent: found.agent, expiresAt };
}

export type SessionCheck =
  | { ok: true; agent: Agent; csrfToken: string; expiresAt: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'inactive' };

export async function checkSession(ctx: HelpdeskContext, sessionToken: string): Promise<SessionCheck> {
  const tokenHash = hashToken(sessionToken);
  const session = await ctx.accounts.findSession(tokenHash);
  if (!session) return { ok: false, reason: 'unknown' };
  if (session.revokedAt !== null) return { ok: false, reason: 'revoked' };
  const now = ctx.now();
  const idleSince = Date.parse(session.lastSeenAt);
  if (session.expiresAt <= now.toISOString() || now.getTime() - idleSince > SESSION_IDLE_MS) return { ok: false, reason: 'expired' };
  const { agent } = session;
  if (!agent.active) return { ok: false, reason: 'inactive' };
  if (now.getTime() - idleSince > TOUCH_EVERY_MS) await ctx.accounts.touchSession(tokenHash, now.toISOString());
  return { ok: true, agent, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

export async function signOut(ctx: HelpdeskContext, sessionToken: string): Promise<void> {
  await ctx.accounts.revokeSession(hashToken(sessionToken), ctx.now().toISOString());
}
