/**
 * Automatic assignment over real HTTP on SQLite and PostgreSQL (issue 12, item 2): balanced and
 * round robin within capacity, away agents skipped and (with reassign_when_away) their work
 * returned and routed on, a conversation waiting with nobody online assigned the moment someone
 * comes online, mode off assigning nothing, Fin told of each assignment, and the routing activity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeWaiting } from '../../src/domain/routing/route-waiting.js';
import { FailSafeJob } from '../../src/jobs/fail-safe.js';
import { EventStreamClient } from '../support/event-stream.js';
import { sqlBackends } from '../support/finch.js';
import { finConversation, outboxOf } from '../support/helpdesk.js';
import {
  agentWithSession,
  assignedEvents,
  assigneeOf,
  choose,
  connect,
  disconnect,
  eventually,
  handOver,
  setRouting,
  startRoutedFinch,
  type RoutedFinch,
} from './support.js';

type Member = Awaited<ReturnType<typeof agentWithSession>>;

describe.each(sqlBackends())('automatic assignment on %s', (backend) => {
  let routed: RoutedFinch;

  beforeAll(async () => {
    routed = await startRoutedFinch(backend, { pollMs: 60_000 });
  });
  afterAll(() => routed?.close());

  /**
   * Routing set to `mode` (`capacity`, `reassign`) and a new team of `names`, the first `online`
   * of them with an inbox open; nobody from earlier tests takes part (their inboxes close, their
   * work is resolved).
   */
  async function team(mode: string, capacity: number, reassign: boolean, names: string[], online = names.length) {
    const db = routed.finch.database!.db;
    await db.deleteFrom('agent_connections').execute();
    await db.updateTable('conversations').set({ status: 'resolved' }).where('status', '=', 'open').execute();
    await setRouting(routed, { mode, capacity, reassign_when_away: reassign });
    const members = [];
    for (const name of names) members.push(await agentWithSession(routed, name));
    for (const member of members.slice(0, online)) await connect(routed, member.agent.id);
    return members;
  }

  /** Waits until every one of `ids` has an assignee; answers them. */
  function assignedAll(ids: string[]): Promise<(string | null)[]> {
    return eventually(async () => {
      const assignees = await Promise.all(ids.map((id) => assigneeOf(routed, id)));
      expect(assignees.every((id) => id !== null)).toBe(true);
      return assignees;
    });
  }

  it("with mode off assigns nothing (today's behaviour)", async () => {
    await team('off', 5, false, ['Olga']);
    const id = await handOver(routed.finch);
    const finch = routed.finch.finch!;
    const outcome = await routeWaiting({ store: finch.routing, transaction: (work) => finch.store.transaction(work), now: routed.finch.clock.now });
    expect(outcome).toEqual({ assigned: 0, returned: 0, more: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await assigneeOf(routed, id)).toBeNull();
    expect(await assignedEvents(routed.finch, [id])).toEqual([]);
  });

  it('balanced: the online agent with the fewest open conversations, never over capacity, then as capacity frees', async () => {
    const [ann, ben] = (await team('balanced', 2, false, ['Ann', 'Ben'])) as [Member, Member];
    // Ann already works on one (taken by hand): Ben gets the first hand-over.
    const own = await handOver(routed.finch);
    await eventually(async () => expect(await assigneeOf(routed, own)).not.toBeNull());
    const holder = (await assigneeOf(routed, own))!;
    const other = holder === ann.agent.id ? ben : ann;
    const first = await handOver(routed.finch);
    await eventually(async () => expect(await assigneeOf(routed, first)).toBe(other.agent.id));

    const more = [await handOver(routed.finch), await handOver(routed.finch)];
    await assignedAll(more);
    // Both at capacity (2): the next one waits.
    const late = await handOver(routed.finch);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await assigneeOf(routed, late)).toBeNull();
    const counts = await openCounts([ann.agent.id, ben.agent.id]);
    expect(counts).toEqual([2, 2]);

    // Ann resolves one: capacity frees, and the waiting one goes to her.
    const annsOpen = (await Promise.all([own, first, ...more].map(async (id) => [id, await assigneeOf(routed, id)] as const))).filter(
      ([, a]) => a === ann.agent.id,
    );
    expect((await ann.client.patch(`/conversations/${annsOpen[0]![0]}`, { status: 'resolved' })).status).toBe(200);
    await eventually(async () => expect(await assigneeOf(routed, late)).toBe(ann.agent.id));

    // An agent's own capacity overrides the default: Ben may take 3.
    const last = await handOver(routed.finch);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await assigneeOf(routed, last)).toBeNull();
    const patched = await routed.asAdmin.patch(`/agents/${ben.agent.id}`, { capacity: 3 });
    expect(patched.status).toBe(200);
    expect(patched.body.capacity).toBe(3);
    await eventually(async () => expect(await assigneeOf(routed, last)).toBe(ben.agent.id));

    const events = await assignedEvents(routed.finch, [own, first, ...more, late, last]);
    expect(events).toHaveLength(6);
    expect(events.every((event) => event.how === 'automatic' && event.actor === 'system' && event.previousAssigneeId === null)).toBe(true);
  });

  it('round robin: online agents with room take turns', async () => {
    const members = await team('round_robin', 10, false, ['Cid', 'Dee', 'Eli']);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = await handOver(routed.finch);
      order.push(
        await eventually(async () => {
          const assignee = await assigneeOf(routed, id);
          expect(assignee).not.toBeNull();
          return assignee!;
        }),
      );
    }
    // Each once per round, the same order each round.
    expect(new Set(order.slice(0, 3)).size).toBe(3);
    expect(order.slice(3)).toEqual(order.slice(0, 3));
    // A burst routed in one pass keeps the turns too.
    const burst = await Promise.all([1, 2, 3, 4].map(() => handOver(routed.finch)));
    await assignedAll(burst);
    expect(await openCounts(members.map((member) => member.agent.id))).toEqual(expect.arrayContaining([3, 3, 4]));
  });

  it('skips away and offline agents; a conversation waiting with nobody online is assigned the moment someone comes online', async () => {
    const [fay, gus] = (await team('balanced', 5, false, ['Fay', 'Gus'], 0)) as [Member, Member];
    await connect(routed, fay.agent.id, 'away');
    const id = await handOver(routed.finch);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await assigneeOf(routed, id)).toBeNull();

    // The router's poll is a minute here: only coming online (the wake-up) can route it.
    await connect(routed, gus.agent.id);
    await eventually(async () => expect(await assigneeOf(routed, id)).toBe(gus.agent.id));

    // Gus closes his inbox: offline, skipped; Fay back online takes the next.
    await disconnect(routed, gus.agent.id);
    await choose(routed, fay.agent.id, 'online');
    const next = await handOver(routed.finch);
    await eventually(async () => expect(await assigneeOf(routed, next)).toBe(fay.agent.id));
    // Offline is not away: Gus keeps his conversation even with reassign_when_away on.
    await setRouting(routed, { mode: 'balanced', capacity: 5, reassign_when_away: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await assigneeOf(routed, id)).toBe(gus.agent.id);
  });

  it("with reassign_when_away, an away agent's open conversations go back to Waiting and on to someone online; Fin is told", async () => {
    const [hal, ivy] = (await team('balanced', 5, true, ['Hal', 'Ivy'], 1)) as [Member, Member];
    const ids = [await handOver(routed.finch), await handOver(routed.finch)];
    await eventually(async () => expect(await Promise.all(ids.map((id) => assigneeOf(routed, id)))).toEqual([hal.agent.id, hal.agent.id]));
    const before = await Promise.all(ids.map(async (id) => (await outboxOf(routed.finch, id)).length));

    // Hal goes away with nobody else online: his work waits, handed over as agent_away.
    await choose(routed, hal.agent.id, 'away');
    await eventually(async () => expect(await Promise.all(ids.map((id) => assigneeOf(routed, id)))).toEqual([null, null]));
    const detail = (await routed.asAdmin.get(`/conversations/${ids[0]}`)).body.conversation;
    expect(detail).toMatchObject({ queue: 'waiting', handover_reason: 'agent_away' });
    const handedOver = await routed.finch
      .database!.db.selectFrom('conversation_activity')
      .selectAll()
      .where('conversation_id', 'in', ids)
      .where('kind', '=', 'handed_over')
      .execute();
    expect(handedOver.filter((row) => JSON.stringify(row.details).includes('agent_away'))).toHaveLength(2);

    await connect(routed, ivy.agent.id);
    await eventually(async () => expect(await Promise.all(ids.map((id) => assigneeOf(routed, id)))).toEqual([ivy.agent.id, ivy.agent.id]));
    // Fin hears of the return and of the new assignment (a sync event, or the pending one counting more changes).
    for (const [index, id] of ids.entries()) {
      const events = await outboxOf(routed.finch, id);
      expect(events.length > before[index]! || events.some((event) => event.status === 'pending' && event.coalesced > 0)).toBe(true);
    }
    // Fin's end-of-sync update, computed before, cannot give it back to Hal or to Fin.
    const stale = await routed.finch.client('rest').call('update_conversation', { conversation_id: ids[0], assignee_id: null });
    expect(stale.status).toBe(200);
    expect(await assigneeOf(routed, ids[0]!)).toBe(ivy.agent.id);
  });

  it('routes the most overdue first (reply_due_at, those without after), then the longest waiting', async () => {
    const [lea] = (await team('balanced', 1, false, ['Lea'], 0)) as [Member];
    const oldest = await handOver(routed.finch);
    const due = await handOver(routed.finch);
    const overdue = await handOver(routed.finch);
    const db = routed.finch.database!.db;
    const now = routed.finch.clock.now().getTime();
    await db
      .updateTable('conversations')
      .set({ reply_due_at: new Date(now + 60_000).toISOString() })
      .where('id', '=', due)
      .execute();
    await db
      .updateTable('conversations')
      .set({ reply_due_at: new Date(now - 60_000).toISOString() })
      .where('id', '=', overdue)
      .execute();

    // Lea has room for one: the overdue one, though it waited least.
    await connect(routed, lea.agent.id);
    await eventually(async () => expect(await assigneeOf(routed, overdue)).toBe(lea.agent.id));
    expect([await assigneeOf(routed, due), await assigneeOf(routed, oldest)]).toEqual([null, null]);
    // Room for two more: the one with a due time, then the longest waiting.
    expect((await routed.asAdmin.patch(`/agents/${lea.agent.id}`, { capacity: 2 })).status).toBe(200);
    await eventually(async () => expect(await assigneeOf(routed, due)).toBe(lea.agent.id));
    expect(await assigneeOf(routed, oldest)).toBeNull();
    expect((await routed.asAdmin.patch(`/agents/${lea.agent.id}`, { capacity: 3 })).status).toBe(200);
    await eventually(async () => expect(await assigneeOf(routed, oldest)).toBe(lea.agent.id));
  });

  it("routes a deactivated agent's conversations to someone online", async () => {
    const [max, nia] = (await team('round_robin', 5, false, ['Max', 'Nia'], 1)) as [Member, Member];
    const ids = [await handOver(routed.finch), await handOver(routed.finch)];
    await eventually(async () => expect(await Promise.all(ids.map((id) => assigneeOf(routed, id)))).toEqual([max.agent.id, max.agent.id]));
    await connect(routed, nia.agent.id);
    expect((await routed.asAdmin.patch(`/agents/${max.agent.id}`, { active: false })).status).toBe(200);
    await eventually(async () => expect(await Promise.all(ids.map((id) => assigneeOf(routed, id)))).toEqual([nia.agent.id, nia.agent.id]));
  });

  it('routes what the fail-safe hands to people while Fin is unreachable', async () => {
    const [ola] = (await team('balanced', 5, false, ['Ola'])) as [Member];
    const finch = routed.finch.finch!;
    const unreachableSince = routed.finch.clock.now().toISOString();
    await finch.settings.updateDeliveryState((state) => ({ ...state, unreachableSince }), unreachableSince);
    try {
      const { id } = await finConversation(routed.finch);
      routed.finch.clock.advance(61_000);
      const job = new FailSafeJob({ ...finch, afterMs: 60_000, logger: { warn: () => undefined } });
      expect(await job.check(routed.finch.clock.now())).toContain(id);
      await eventually(async () => expect(await assigneeOf(routed, id)).toBe(ola.agent.id));
    } finally {
      await finch.settings.updateDeliveryState((state) => ({ ...state, unreachableSince: null }), routed.finch.clock.now().toISOString());
    }
  });

  it("routes a customer's return that nobody holds (its agent deactivated) to someone online", async () => {
    const [pia, quin] = (await team('balanced', 5, false, ['Pia', 'Quin'], 1)) as [Member, Member];
    const conversation = await finConversation(routed.finch);
    const fin = routed.finch.client('rest');
    expect((await fin.call('update_conversation', { conversation_id: conversation.id, assignee_id: null })).status).toBe(200);
    await eventually(async () => expect(await assigneeOf(routed, conversation.id)).toBe(pia.agent.id));
    expect((await pia.client.patch(`/conversations/${conversation.id}`, { status: 'resolved' })).status).toBe(200);
    expect((await routed.asAdmin.patch(`/agents/${pia.agent.id}`, { active: false })).status).toBe(200);
    await connect(routed, quin.agent.id);

    // The customer writes again: back to Waiting (customer_returned), and on to Quin.
    const message = await fin.call('create_message', {
      conversation_id: conversation.id,
      body: 'Me again',
      author: { id: conversation.user.id, user_type: 'end_user' },
    });
    expect(message.status).toBe(201);
    await eventually(async () => expect(await assigneeOf(routed, conversation.id)).toBe(quin.agent.id));
  });

  it('Fin is told of every automatic assignment (a sync event in the same transaction)', async () => {
    const [{ agent }] = (await team('balanced', 5, false, ['Jo'], 0)) as [Member];
    const id = await handOver(routed.finch);
    const before = await outboxOf(routed.finch, id);
    await connect(routed, agent.id);
    await eventually(async () => expect(await assigneeOf(routed, id)).toBe(agent.id));
    const after = await outboxOf(routed.finch, id);
    const pendingBefore = before.filter((event) => event.status === 'pending').map((event) => event.coalesced);
    const grew = after.length > before.length || after.some((event) => event.status === 'pending' && event.coalesced > (pendingBefore[0] ?? -1));
    expect(grew).toBe(true);
  });

  async function openCounts(agentIds: string[]): Promise<number[]> {
    const rows = await routed.finch
      .database!.db.selectFrom('conversations')
      .select(['assignee_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('status', '=', 'open')
      .where('assignee_id', 'in', agentIds)
      .groupBy('assignee_id')
      .execute();
    return agentIds.map((id) => Number(rows.find((row) => row.assignee_id === id)?.n ?? 0));
  }
});

describe.each(sqlBackends())('automatic assignment with the inbox as it is on %s', (backend) => {
  let routed: RoutedFinch;

  beforeAll(async () => {
    routed = await startRoutedFinch(backend, { pollMs: 60_000 });
  });
  afterAll(() => routed?.close());

  it('routes to an agent once their inbox opens, returns their work when they choose away, and not when they close it', async () => {
    await setRouting(routed, { mode: 'balanced', capacity: 5, reassign_when_away: true });
    const { agent, client } = await agentWithSession(routed, 'Kim');
    const first = await handOver(routed.finch);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await assigneeOf(routed, first)).toBeNull();

    // Opening the inbox (its live event stream) makes Kim online: the waiting one is hers.
    const inbox = await EventStreamClient.connect(`${routed.finch.baseUrl}/api/v1/events`, client.authHeaders());
    await eventually(async () => expect(await assigneeOf(routed, first)).toBe(agent.id));

    // Kim chooses away (the top bar's toggle): her conversation goes back to Waiting.
    expect((await client.put('/me/presence', { status: 'away' })).status).toBe(200);
    await eventually(async () => expect(await assigneeOf(routed, first)).toBeNull());
    expect((await client.put('/me/presence', { status: 'online' })).status).toBe(200);
    await eventually(async () => expect(await assigneeOf(routed, first)).toBe(agent.id));

    // Closing the inbox is offline, not away: she keeps it, and new hand-overs wait.
    inbox.close();
    await eventually(async () => expect((await routed.asAdmin.get('/agents')).body.find((a: { id: string }) => a.id === agent.id).presence).toBe('offline'));
    const second = await handOver(routed.finch);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await assigneeOf(routed, second)).toBeNull();
    expect(await assigneeOf(routed, first)).toBe(agent.id);
  });
});
