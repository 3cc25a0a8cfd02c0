import { hashToken } from '../../auth/secrets.js';
import type { HelpdeskContext } from '../context.js';

/** Ends the session (an unknown or already ended one: nothing happens). */
export async function signOut(ctx: HelpdeskContext, sessionToken: string): Promise<void> {
  const at = ctx.now().toISOString();
  await ctx.transaction((tx) => tx.accounts.revokeSession(hashToken(sessionToken), at));
}
