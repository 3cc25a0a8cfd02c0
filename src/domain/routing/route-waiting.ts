/**
 * One routing pass (issue 12, "Automatic assignment"): every conversation in Waiting goes to an
 * online human agent with room, most overdue first (`reply_due_at`), then the longest waiting;
 * with `reassignWhenAway`, an away agent's open conversations first go back to Waiting (reason
 * `agent_away`) and are routed with the rest. Each pass is one unit of work that first takes the
 * routing lock, so passes on every node take turns and each conversation gets exactly one agent
 * and nobody goes over capacity; each conversation is then locked and checked again (a person may
 * have taken it meanwhile). Each assignment is written like a person's (the people-edits record, so
 * Fin's later update cannot undo it), with a sync event for Fin and an `assigned` activity event
 * (`how: automatic`). Lock order: the routing lock, then conversations, then the agents' rows
 * (their turn); a deactivation and a capacity change take the routing lock first (edit-agent.ts).
 */
import type { HelpdeskTransaction, UnitOfWork } from '../../store/helpdesk-port.js';
import type { RoutingStore, RoutingWork } from '../../store/routing-port.js';
import { SYSTEM_ACTOR } from '../activity/activity.js';
import { recordActivity } from '../activity/record-activity.js';
import { assign } from '../conversation-changes.js';
import { withPeopleEdits } from '../people-edits.js';
import { chooseAgent, nextRoutedStamp, type RoutingCandidate } from './choose-agent.js';
import { handBackWork } from './hand-back-work.js';
import { AGENT_AWAY, type RoutingMode, type RoutingSettings } from './routing-settings.js';

/** Assignments per unit of work: a long backlog is routed in several short transactions. */
export const ROUTING_BATCH = 50;

export interface RoutingOutcome {
  /** Conversations given to an agent. */
  assigned: number;
  /** Conversations taken back from away agents. */
  returned: number;
  /** A full batch was routed: more may be waiting for agents with room. */
  more: boolean;
}

const NOTHING: RoutingOutcome = { assigned: 0, returned: 0, more: false };

export interface RoutingDeps {
  store: RoutingStore;
  transaction: UnitOfWork['transaction'];
  now: () => Date;
}

/**
 * Runs one pass. When routing is off, or nothing waits and no away agent holds work, it costs one
 * statement (`routingWork`) and no transaction. Its changes are stamped with the time it got the
 * routing lock (a pass that waited for another node's is not dated before it could act).
 */
export async function routeWaiting(deps: RoutingDeps): Promise<RoutingOutcome> {
  if (!hasWork(await deps.store.routingWork(deps.now().toISOString()))) return NOTHING;
  return deps.transaction(async (tx) => {
    await tx.routing.lockRouting();
    // Asked again under the lock: another node's pass may have done it all while this one waited.
    const at = deps.now().toISOString();
    const work = await tx.routing.routingWork(at);
    const { settings } = work;
    return hasWork(work) && settings.mode !== 'off' ? routeIn(tx, { ...settings, mode: settings.mode }, at) : NOTHING;
  });
}

/** Routing is on, and something waits or (when that is to be done) an away agent holds open work. */
function hasWork({ settings, waiting, awayWithWork }: RoutingWork): boolean {
  return settings.mode !== 'off' && (waiting || (settings.reassignWhenAway && awayWithWork));
}

async function routeIn(tx: HelpdeskTransaction, settings: RoutingSettings & { mode: Exclude<RoutingMode, 'off'> }, at: string): Promise<RoutingOutcome> {
  const { mode } = settings;
  const presence = await tx.presence.presenceOf(at);
  const agents = await tx.routing.routingAgents();
  let returned = 0;
  if (settings.reassignWhenAway) {
    for (const agent of agents) {
      if (agent.open === 0 || presence.get(agent.id) !== 'away') continue;
      const count = await handBackWork(tx, agent.id, AGENT_AWAY, SYSTEM_ACTOR, at);
      agent.open -= count;
      returned += count;
    }
  }
  const candidates: RoutingCandidate[] = agents
    .filter((agent) => presence.get(agent.id) === 'online')
    .map((agent) => ({ id: agent.id, capacity: agent.capacity ?? settings.capacity, open: agent.open, lastRoutedAt: agent.lastRoutedAt }));
  const room = candidates.reduce((sum, candidate) => sum + Math.max(0, candidate.capacity - candidate.open), 0);
  if (room === 0) return { assigned: 0, returned, more: false };
  const limit = Math.min(room, ROUTING_BATCH);
  let assigned = 0;
  for (const id of await tx.routing.waitingConversationIds(limit)) {
    const agent = chooseAgent(mode, candidates);
    if (!agent) break;
    const current = await tx.lockConversation(id);
    // Checked again under the lock: someone may have taken it since it was listed.
    if (!current || current.assignee !== null || current.status !== 'open') continue;
    await tx.updateConversation(id, withPeopleEdits(current, assign({}, current, agent.id)), at);
    await tx.enqueueSync(id, at);
    await recordActivity(tx, [
      { conversationId: id, at, kind: 'assigned', actor: SYSTEM_ACTOR, details: { assigneeId: agent.id, previousAssigneeId: null, how: 'automatic' } },
    ]);
    const stamp = nextRoutedStamp(at, candidates);
    await tx.routing.markRouted(agent.id, stamp);
    agent.open++;
    agent.lastRoutedAt = stamp;
    assigned++;
  }
  return { assigned, returned, more: assigned === ROUTING_BATCH };
}
