import type { AgentPatch } from '../../../contract/agent-api.js';
import type { AgentChanges } from '../../../store/account-port.js';
import type { HelpdeskTransaction } from '../../../store/helpdesk-port.js';
import { assign } from '../../conversation-changes.js';
import { withPeopleEdits } from '../../people-edits.js';
import { requireStrongPassword } from '../../auth/password-strength.js';
import { hashPassword } from '../../auth/secrets.js';
import { conflict, notFound, unprocessable } from '../../errors.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';

/** The handover reason of a conversation whose agent was deactivated. */
export const AGENT_DEACTIVATED = 'agent_deactivated';

/**
 * An admin changes an agent: name, alias, role, active, password. The Fin agent keeps its role,
 * stays active and has no password (422 `fin_agent`); Finch keeps at least one active admin (409
 * `last_admin`, docs/decisions.md), however many admins are demoted at once: the admins are
 * counted under lock in the transaction that writes. A deactivated agent, or one whose password
 * changed, is signed out everywhere in the same transaction; a deactivated agent's open
 * conversations go to the waiting queue in it too (`handBackWorkOf`).
 */
export async function editAgent(ctx: HelpdeskContext, admin: Agent, agentId: string, patch: AgentPatch): Promise<Agent> {
  requireAdmin(admin);
  // Checked before the transaction, so a refused request costs no lock and scrypt holds none:
  // neither whether it is Fin nor its email changes.
  const known = await ctx.accounts.findAgent(agentId);
  if (!known) throw notFound('agent', agentId);
  if (known.isFin && (patch.role !== undefined || patch.active === false || patch.password !== undefined)) {
    throw unprocessable('fin_agent', 'The Fin agent stays active and cannot sign in.');
  }
  if (patch.password !== undefined) requireStrongPassword(patch.password, { email: known.email, name: patch.name ?? known.name }, '/password');
  const changes: AgentChanges = {
    ...(patch.name === undefined ? {} : { name: patch.name.trim() }),
    ...(patch.alias === undefined ? {} : { alias: patch.alias }),
    ...(patch.role === undefined ? {} : { role: patch.role }),
    ...(patch.active === undefined ? {} : { active: patch.active }),
    ...(patch.password === undefined ? {} : { passwordHash: await hashPassword(patch.password) }),
  };
  const demoted = (patch.role !== undefined && patch.role !== 'admin') || patch.active === false;
  const at = ctx.now().toISOString();
  const { agent, handedBack } = await ctx.transaction(async (tx) => {
    // The admins first (in id order), then the one agent: the order every editor locks in.
    const admins = demoted ? await tx.accounts.countActiveAdmins() : undefined;
    const target = await tx.accounts.lockAgent(agentId);
    if (!target) throw notFound('agent', agentId);
    if (admins !== undefined && target.role === 'admin' && target.active && admins <= 1) {
      throw conflict('last_admin', 'Finch needs at least one active admin.');
    }
    const updated = await tx.accounts.updateAgent(agentId, changes, at);
    if (patch.active === false || patch.password !== undefined) await tx.accounts.revokeSessionsOf(agentId, at);
    const handedBack = patch.active === false && target.active ? await handBackWorkOf(tx, agentId, at) : 0;
    return { agent: updated!, handedBack };
  });
  if (handedBack > 0) ctx.outboxWritten();
  return agent;
}

/**
 * A deactivated agent can never answer again: each of their open conversations goes to the
 * waiting queue (no assignee, handover reason `agent_deactivated`), and Fin is told of each. The
 * inbox hears of them together, as one change, when the transaction commits. Returns how many.
 */
async function handBackWorkOf(tx: HelpdeskTransaction, agentId: string, at: string): Promise<number> {
  let handed = 0;
  for (const id of await tx.openConversationIdsOf(agentId)) {
    const current = await tx.lockConversation(id);
    // Checked again under the lock: the conversation may have moved since it was listed.
    if (current?.assignee?.id !== agentId || current.status !== 'open') continue;
    await tx.updateConversation(id, withPeopleEdits(current, { ...assign({}, current, null), handoverReason: AGENT_DEACTIVATED }), at);
    await tx.enqueueSync(id, at);
    handed++;
  }
  return handed;
}
