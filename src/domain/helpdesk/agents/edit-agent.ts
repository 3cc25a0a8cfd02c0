import type { AgentPatch } from '../../../contract/agent-api.js';
import type { AgentChanges } from '../../../store/account-port.js';
import { agentActor } from '../../activity/activity.js';
import { handBackWork } from '../../routing/hand-back-work.js';
import { requireStrongPassword } from '../../auth/password-strength.js';
import { hashPassword } from '../../auth/secrets.js';
import { conflict, notFound, unprocessable } from '../../errors.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';
import { asTeamMember, type TeamMember } from './team-member.js';

/** The handover reason of a conversation whose agent was deactivated. */
export const AGENT_DEACTIVATED = 'agent_deactivated';

/**
 * An admin changes an agent: name, alias, role, active, password, capacity. The Fin agent keeps
 * its role, stays active, has no password and no capacity (422 `fin_agent`); Finch keeps at least one active admin (409
 * `last_admin`, docs/decisions.md), however many admins are demoted at once: the admins are
 * counted under lock in the transaction that writes. A deactivated agent, or one whose password
 * changed, is signed out everywhere in the same transaction; a deactivated agent's open
 * conversations go to the waiting queue in it too (`handBackWork`: reason `agent_deactivated`, a
 * `handed_over` activity event by the admin), and routing is woken to give them to someone else.
 * `capacity` (0..1000, null: the routing default) is what automatic assignment may give them.
 * A deactivation or a capacity change takes the routing lock first (domain/routing/route-waiting.ts),
 * so no routing pass works with the agent as it was. Answers the agent as a team member
 * (team-member.ts): the same shape whatever the patch held.
 */
export async function editAgent(ctx: HelpdeskContext, admin: Agent, agentId: string, patch: AgentPatch): Promise<TeamMember> {
  requireAdmin(admin);
  // Checked before the transaction, so a refused request costs no lock and scrypt holds none:
  // neither whether it is Fin nor its email changes.
  const known = await ctx.accounts.findAgent(agentId);
  if (!known) throw notFound('agent', agentId);
  if (known.isFin && (patch.role !== undefined || patch.active === false || patch.password !== undefined)) {
    throw unprocessable('fin_agent', 'The Fin agent stays active and cannot sign in.');
  }
  if (known.isFin && patch.capacity !== undefined) throw unprocessable('fin_agent', 'Routing gives conversations to people only.', '/capacity');
  if (patch.password !== undefined) requireStrongPassword(patch.password, { email: known.email, name: patch.name ?? known.name }, '/password');
  const changes: AgentChanges = {
    ...(patch.name === undefined ? {} : { name: patch.name.trim() }),
    ...(patch.alias === undefined ? {} : { alias: patch.alias }),
    ...(patch.role === undefined ? {} : { role: patch.role }),
    ...(patch.active === undefined ? {} : { active: patch.active }),
    ...(patch.password === undefined ? {} : { passwordHash: await hashPassword(patch.password) }),
  };
  const demoted = (patch.role !== undefined && patch.role !== 'admin') || patch.active === false;
  const routingChange = patch.active === false || patch.capacity !== undefined;
  const at = ctx.now().toISOString();
  const { agent, handedBack } = await ctx.transaction(async (tx) => {
    // The routing lock (when routing must not see the agent half-changed), the admins (in id
    // order), then the one agent, then their conversations: the order every editor locks in.
    if (routingChange) await tx.routing.lockRouting();
    const admins = demoted ? await tx.accounts.countActiveAdmins() : undefined;
    const target = await tx.accounts.lockAgent(agentId);
    if (!target) throw notFound('agent', agentId);
    if (admins !== undefined && target.role === 'admin' && target.active && admins <= 1) {
      throw conflict('last_admin', 'Finch needs at least one active admin.');
    }
    if (patch.capacity !== undefined) await tx.routing.setCapacity(agentId, patch.capacity, at);
    const updated = await tx.accounts.updateAgent(agentId, changes, at);
    if (patch.active === false || patch.password !== undefined) await tx.accounts.revokeSessionsOf(agentId, at);
    const handedBack = patch.active === false && target.active ? await handBackWork(tx, agentId, AGENT_DEACTIVATED, agentActor(admin.id), at) : 0;
    return { agent: updated!, handedBack };
  });
  if (handedBack > 0) ctx.outboxWritten();
  if (routingChange) ctx.routing.wake();
  return asTeamMember(ctx, agent);
}
