import type { OAuthClient } from '../../../store/port.js';
import { createClient } from '../../auth/credentials.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';

/** A new OAuth client for Fin (admins only); its secret is returned once and stored hashed. */
export async function createOAuthClient(
  ctx: HelpdeskContext,
  admin: Agent,
  name: string,
): Promise<{ clientId: string; clientSecret: string; details: OAuthClient }> {
  requireAdmin(admin);
  return ctx.transaction(async (tx) => {
    const created = await createClient(tx.credentials, name.trim(), ctx.now());
    return { ...created, details: (await tx.credentials.findClient(created.clientId))! };
  });
}
