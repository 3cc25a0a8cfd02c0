import { hashToken } from '../../auth/secrets.js';
import type { HelpdeskContext } from '../context.js';

/** Ends the session (an unknown or already ended one: nothing happens). */
export async function signOut(ctx: HelpdeskContext, sessionToken: string): Promise<void> {
  await ctx.accounts.revokeSession(hashToken(sessionToken), ctx.now().toISOString());
}
