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
  const rehashed = needsRehash(stored) ? await rehash(input.password) : undefined;

  const now = ctx.now();
  const sessionToken = generateSecret(SESSION_PREFIX);
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS).toISOString();
  await ctx.transaction(async (tx) => {
    if (rehashed !== undefined) await tx.accounts.replacePasswordHash(found.agent.id, stored, rehashed);
    await tx.accounts.insertSession({ tokenHash: hashToken(sessionToken), agentId: found.agent.id, csrfToken, at: now.toISOString(), expiresAt });
  });
  return { sessionToken, csrfToken, agent: found.agent, expiresAt };
}

/** The password hashed at today's cost; undefined when too many hashes wait (a later sign-in does it). */
async function rehash(password: string): Promise<string | undefined> {
  try {
    return await hashPassword(password);
  } catch (error) {
    if (error instanceof PasswordHashingBusyError) return undefined;
    throw error;
  }
}
