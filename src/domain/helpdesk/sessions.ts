/**
 * Signing in: an agent's email and password give a session (an HTTP-only cookie holding a random
 * token, stored hashed) and a CSRF token the browser sends back with every change. Sessions last
 * 7 days at most and end after 12 hours without use. An agent changes their own password here too.
 */
import { randomBytes } from 'node:crypto';
import { normalizeEmail } from '../auth/email.js';
import { requireStrongPassword } from '../auth/password-strength.js';
import { PasswordHashingBusyError, generateSecret, hashPassword, hashToken, needsRehash, unmatchablePasswordHash, verifyPassword } from '../auth/secrets.js';
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

/**
 * Checked when no agent has the email (or the agent has no password), so that the answer takes as
 * long either way and waits in, or is refused by, the same queue of hashes.
 */
const NO_ACCOUNT_HASH = unmatchablePasswordHash();

const invalidCredentials = () => new FinError('unauthenticated', 'invalid_credentials', 'The email or password is wrong.');

/**
 * Throws `FinError` `invalid_credentials` (401) for a wrong email or password or an inactive agent,
 * and `PasswordHashingBusyError` (nothing checked; the same for every email) when too many password
 * hashes already wait in this process.
 */
export async function signIn(ctx: HelpdeskContext, input: { email: string; password: string }): Promise<SignedIn> {
  const found = await ctx.accounts.findCredentials(normalizeEmail(input.email));
  const stored = found?.passwordHash ?? null;
  const matches = await verifyPassword(input.password, stored ?? NO_ACCOUNT_HASH);
  if (!found || stored === null || !matches) throw invalidCredentials();
  if (!found.agent.active || found.agent.isFin) throw invalidCredentials();
  // Hashes made at an older cost are replaced now, the only time the password is known; when too
  // many hashes wait, at a later sign-in (the sign-in itself has succeeded).
  if (needsRehash(stored)) await rehash(ctx, found.agent.id, stored, input.password);

  const now = ctx.now();
  const sessionToken = generateSecret(SESSION_PREFIX);
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS).toISOString();
  await ctx.accounts.insertSession({ tokenHash: hashToken(sessionToken), agentId: found.agent.id, csrfToken, at: now.toISOString(), expiresAt });
  return { sessionToken, csrfToken, agent: found.agent, expiresAt };
}

async function rehash(ctx: HelpdeskContext, agentId: string, stored: string, password: string): Promise<void> {
  let replacement: string;
  try {
    replacement = await hashPassword(password);
  } catch (error) {
    if (error instanceof PasswordHashingBusyError) return;
    throw error;
  }
  await ctx.accounts.replacePasswordHash(agentId, stored, replacement);
}

export type SessionCheck =
  | { ok: true; agent: Agent; csrfToken: string; expiresAt: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'inactive' };

/**
 * Whether a session may be used now. A request uses it (`touch`, the default: it stays alive while
 * used); an open event stream only checks it, so an inbox left open still ends after 12 idle hours.
 */
export async function checkSession(ctx: HelpdeskContext, sessionToken: string, options: { touch?: boolean } = {}): Promise<SessionCheck> {
  const tokenHash = hashToken(sessionToken);
  const session = await ctx.accounts.findSession(tokenHash);
  if (!session) return { ok: false, reason: 'unknown' };
  if (session.revokedAt !== null) return { ok: false, reason: 'revoked' };
  const now = ctx.now();
  const idleSince = Date.parse(session.lastSeenAt);
  if (session.expiresAt <= now.toISOString() || now.getTime() - idleSince > SESSION_IDLE_MS) return { ok: false, reason: 'expired' };
  const { agent } = session;
  if (!agent.active) return { ok: false, reason: 'inactive' };
  if (options.touch !== false && now.getTime() - idleSince > TOUCH_EVERY_MS) await ctx.accounts.touchSession(tokenHash, now.toISOString());
  return { ok: true, agent, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

export async function signOut(ctx: HelpdeskContext, sessionToken: string): Promise<void> {
  await ctx.accounts.revokeSession(hashToken(sessionToken), ctx.now().toISOString());
}

/**
 * An agent changes their own password: the current one must be right (403 `wrong_password`), the
 * new one strong enough (422 `weak_password`, saying why). Every other session of the agent ends;
 * the one making the change (`keepSessionToken`, when made with a session) stays.
 */
export async function changePassword(
  ctx: HelpdeskContext,
  agent: Agent,
  input: { currentPassword: string; newPassword: string; keepSessionToken?: string | undefined },
): Promise<void> {
  const stored = await ctx.accounts.passwordHashOf(agent.id);
  const matches = await verifyPassword(input.currentPassword, stored ?? NO_ACCOUNT_HASH);
  if (!stored || !matches) throw new FinError('forbidden', 'wrong_password', 'The current password is wrong.', '/current_password');
  requireStrongPassword(input.newPassword, agent, '/new_password');
  const at = ctx.now().toISOString();
  // Not over a change made meanwhile (another tab, an admin): that one wins, this one is refused.
  if (!(await ctx.accounts.replacePasswordHash(agent.id, stored, await hashPassword(input.newPassword), at))) {
    throw new FinError('forbidden', 'wrong_password', 'The password was changed meanwhile; sign in again with the new one.', '/current_password');
  }
  await ctx.accounts.revokeSessionsOf(agent.id, at, input.keepSessionToken === undefined ? undefined : hashToken(input.keepSessionToken));
}
