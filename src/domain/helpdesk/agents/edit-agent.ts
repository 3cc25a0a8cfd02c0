import type { AgentPatch } from '../../../contract/agent-api.js';
import type { AgentChanges } from '../../../store/helpdesk-port.js';
import { requireStrongPassword } from '../../auth/password-strength.js';
import { hashPassword } from '../../auth/secrets.js';
import { conflict, notFound, unprocessable } from '../../errors.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';

export async function editAgent(ctx: HelpdeskContext, admin: Agent, agentId: string, patch: AgentPatch): Promise<Agent> {
  requireAdmin(admin);
  const target = await ctx.store.findAgent(agentId);
  if (!target) throw notFound('agent', agentId);
  if (target.isFin && (patch.role !== undefined || patch.active === false || patch.password !== undefined)) {
    throw unprocessable('fin_agent', 'The Fin agent stays active and cannot sign in.');
  }
  if (patch.password !== undefined) requireStrongPassword(patch.password, { email: target.email, name: patch.name ?? target.name }, '/password');
  const demoted = (patch.role !== undefined && patch.role !== 'admin') || patch.active === false;
  if (target.role === 'admin' && target.active && demoted) {
    const admins = (await ctx.accounts.listAllAgents()).filter((agent) => agent.role === 'admin' && agent.active);
    if (admins.length <= 1) throw conflict('last_admin', 'Finch needs at least one active admin.');
  }
  const changes: AgentChanges = {
    ...(patch.name === undefined ? {} : { name: patch.name.trim() }),
    ...(patch.alias === undefined ? {} : { alias: patch.alias }),
    ...(patch.role === undefined ? {} : { role: patch.role }),
    ...(patch.active === undefined ? {} : { active: patch.active }),
    ...(patch.password === undefined ? {} : { passwordHash: await hashPassword(patch.password) }),
  };
  const at = ctx.now().toISOString();
  const updated = await ctx.accounts.updateAgent(agentId, changes, at);
  // A deactivated agent, or one whose password changed, is signed out everywhere.
  if (patch.active === false || patch.password !== undefined) await ctx.accounts.revokeSessionsOf(agentId, at);
  return updated!;
}
