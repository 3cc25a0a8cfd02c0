import type { ApiTokenRecord } from '../../../store/port.js';
import { notFound } from '../../errors.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';

/**
 * Revokes a token: an agent their own, an admin any (404 `not_found` otherwise, as for an unknown
 * id). Returns it (as it was), so the caller knows whose it was.
 */
export async function revokeToken(ctx: HelpdeskContext, viewer: Agent, tokenId: string): Promise<ApiTokenRecord> {
  return ctx.transaction(async (tx) => {
    const token = (await tx.credentials.listApiTokens()).find((candidate) => candidate.id === tokenId);
    if (!token || (viewer.role !== 'admin' && token.agentId !== viewer.id)) throw notFound('token', tokenId);
    await tx.credentials.revokeApiToken(tokenId, ctx.now().toISOString());
    return token;
  });
}
