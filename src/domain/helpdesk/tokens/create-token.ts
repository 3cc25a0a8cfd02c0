import type { NewTokenInput } from '../../../contract/agent-api.js';
import type { ApiTokenRecord } from '../../../store/port.js';
import { createApiToken } from '../../auth/credentials.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';

/** A personal token acts as its agent on the agent API; a `fin` token (admins only) is for Fin. */
export async function createToken(ctx: HelpdeskContext, viewer: Agent, input: NewTokenInput): Promise<{ token: string; details: ApiTokenRecord }> {
  const scope = input.scope ?? 'agent';
  if (scope === 'fin') requireAdmin(viewer);
  return ctx.transaction(async (tx) => {
    const created = await createApiToken(tx.credentials, { name: input.name.trim(), scope, agentId: scope === 'agent' ? viewer.id : null }, ctx.now());
    const details = (await tx.credentials.listApiTokens()).find((token) => token.id === created.id)!;
    return { token: created.token, details };
  });
}
