import type { OAuthClient } from '../../../store/port.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';

/** Every OAuth client, revoked ones included, oldest first (admins only). */
export async function listClients(ctx: HelpdeskContext, admin: Agent): Promise<OAuthClient[]> {
  requireAdmin(admin);
  return ctx.access.listClients();
}
