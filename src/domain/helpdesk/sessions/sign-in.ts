import { randomBytes } from 'node:crypto';
import { normalizeEmail } from '../../auth/email.js';
import { PasswordHashingBusyError, generateSecret, hashPassword, hashToken, needsRehash, verifyPassword } from '../../auth/secrets.js';
import { FinError } from '../../errors.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { NO_ACCOUNT_HASH, SESSION_LIFETIME_MS, SESSION_PREFIX } from './session-rules.js';

export interface SignedIn {
  sessionToken: string;
  csrfToken: string;
  agent: Agent;
  expiresAt: string;
}

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
