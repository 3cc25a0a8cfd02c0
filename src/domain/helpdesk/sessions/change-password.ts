import { requireStrongPassword } from '../../auth/password-strength.js';
import { hashPassword, hashToken, verifyPassword } from '../../auth/secrets.js';
import { FinError } from '../../errors.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { NO_ACCOUNT_HASH } from './session-rules.js';

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
  const replacement = await hashPassword(input.newPassword);
  const at = ctx.now().toISOString();
  // The new hash and the other sessions' end commit together: never a new password with the old
  // sessions still open.
  await ctx.transaction(async (tx) => {
    // Not over a change made meanwhile (another tab, an admin): that one wins, this one is refused.
    if (!(await tx.accounts.replacePasswordHash(agent.id, stored, replacement, at))) {
      throw new FinError('forbidden', 'wrong_password', 'The password was changed meanwhile; sign in again with the new one.', '/current_password');
    }
    await tx.accounts.revokeSessionsOf(agent.id, at, input.keepSessionToken === undefined ? undefined : hashToken(input.keepSessionToken));
  });
}
