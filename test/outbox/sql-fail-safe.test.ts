/**
 * The fail-safe over SQL: which conversations go to people when Fin has been unreachable too long,
 * what changes on them, the sync event and the activity each gets.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAIL_SAFE_BATCH, handOverFromUnreachableFin, routeFinConversationsToPeople } from '../../src/domain/fin-unreachable.js';
import { SqlActivityStore } from '../../src/store/sql/sql-activity-store.js';
import { SqlFailSafe } from '../../src/store/sql/sql-fail-safe.js';
import { SqlOutboxStore } from '../../src/store/sql/sql-outbox-store.js';
import { sqlBackends } from '../support/finch.js';
import { attempt } from '../support/delivery-attempt.js';
import { at, openTestData, type TestData } from './support.js';

describe.each(sqlBackends())('the SQL fail-safe on %s', (backend) => {
  let data: TestData;

  beforeEach(async () => {
    data = await openTestData(backend);
  });
  afterEach(() => data.close());

  const SINCE = 100;

  const route = (now: string) => routeFinConversationsToPeople({ failSafe: new SqlFailSafe(data.database), store: data.store }, at(SINCE), now);

  /** Every kind of conversation the rule must tell apart, named by what decides its fate. */
  async function seed() {
    const outbox = new SqlOutboxStore(data.database);
    const human = await data.humanAgent();
    const conversation = data.conversation;
    const c = {
      changedSince: await conversation({ at: at(SINCE) }),
      pendingSync: await conversation({ at: at(10) }),
      inFlightSync: await conversation({ at: at(10) }),
      deadSync: await conversation({ at: at(10) }),
      deliveredSync: await conversation({ at: at(10) }),
      typingOnly: await conversation({ at: at(10) }),
      unchanged: await conversation({ at: at(10) }),
      human: await conversation({ at: at(SINCE + 10), assigneeId: human.id }),
      unassigned: await conversation({ at: at(SINCE + 10), assigneeId: null }),
      resolved: await conversation({ at: at(SINCE + 10), status: 'resolved' }),
      humanWithDeadSync: await conversation({ at: at(10), assigneeId: human.id }),
    };
    // Events written at 20 to 40: what matters is their state, not the conversation's updated_at.
    for (const id of [c.inFlightSync, c.deadSync, c.deliveredSync, c.humanWithDeadSync]) await data.enqueueSync(id, at(20));
    const claimed = await outbox.claimDue('w1', at(20), at(50), 100);
    for (const event of claimed) {
      if (event.conversationId === c.inFlightSync) continue;
      const resolution = event.conversationId === c.deliveredSync ? ({ status: 'delivered' } as const) : ({ status: 'dead', error: 'gave up' } as const);
      await outbox.resolve(event, resolution, attempt(event, at(30), resolution.status === 'delivered' ? 'delivered' : 'dead'), at(30));
    }
    await data.enqueueSync(c.pendingSync, at(40));
    await data.enqueueTyping({ conversationId: c.typingOnly, agentId: human.id, payload: {}, at: at(40), expiresAt: at(45), throttleSince: at(37) });
    return c;
  }

  it('routes the open conversations Fin holds that changed since Fin went away or have undelivered sync events', async () => {
    const c = await seed();
    const routed = await route(at(700));

    expect(routed).toEqual([c.changedSince, c.pendingSync, c.inFlightSync, c.deadSync].sort());
    for (const id of routed) {
      expect(await data.store.findConversation(id)).toMatchObject({
        assignee: null,
        assignedAt: at(700),
        handoverReason: 'fin_unreachable',
        updatedAt: at(700),
        status: 'open',
      });
    }
    for (const id of [c.deliveredSync, c.typingOnly, c.unchanged, c.resolved]) {
      expect(await data.store.findConversation(id)).toMatchObject({ assignee: { id: data.fin.id }, handoverReason: null });
    }
    expect((await data.store.findConversation(c.human))!.assignee).not.toBeNull();
    expect((await data.store.findConversation(c.unassigned))!.updatedAt).toBe(at(SINCE + 10));
  });

  it('writes one pending sync event per routed conversation, merged into one already pending', async () => {
    const c = await seed();
    const routed = await route(at(700));

    const pending = await data.database.db
      .selectFrom('outbox_events')
      .select(['conversation_id', 'coalesced', 'available_at'])
      .where('kind', '=', 'sync')
      .where('status', '=', 'pending')
      .orderBy('conversation_id')
      .execute();
    expect(pending.map((event) => event.conversation_id)).toEqual(routed);
    expect(pending.find((event) => event.conversation_id === c.pendingSync)).toEqual({ conversation_id: c.pendingSync, coalesced: 1, available_at: at(40) });
    expect(pending.find((event) => event.conversation_id === c.deadSync)).toEqual({ conversation_id: c.deadSync, coalesced: 0, available_at: at(700) });
  });

  it('routes nothing twice: once with people, a conversation is no longer Fin’s', async () => {
    await seed();
    expect(await route(at(700))).toHaveLength(4);
    expect(await route(at(800))).toEqual([]);
  });

  it('records each hand-over in the conversation’s activity, by Finch, with the reason', async () => {
    const c = await seed();
    const routed = await route(at(700));
    const activity = new SqlActivityStore(data.database);
    const entries = await activity.scanActivity({ from: at(0), to: at(10_000), limit: 100 });
    expect(
      entries
        .map(({ conversationId, at, kind, actor, details }) => ({ conversationId, at, kind, actor, details }))
        .sort((a, b) => a.conversationId.localeCompare(b.conversationId)),
    ).toEqual(
      routed.map((id) => ({
        conversationId: id,
        at: at(700),
        kind: 'handed_over',
        actor: { type: 'system', id: null },
        details: { reason: 'fin_unreachable' },
      })),
    );
    expect(routed).not.toContain(c.human);
  });

  it('leaves a candidate that changed hands before its hand-over, and routes the rest', async () => {
    const c = await seed();
    const human = await data.humanAgent('Ida');
    const failSafe = new SqlFailSafe(data.database);
    const candidates = await failSafe.finConversationsToRoute(at(SINCE));
    expect(candidates).toEqual([c.changedSince, c.pendingSync, c.inFlightSync, c.deadSync].sort());
    // Between the read and the hand-over, an agent takes one and Fin resolves another.
    await data.store.updateConversation(c.pendingSync, { assigneeId: human.id }, at(650));
    await data.store.updateConversation(c.deadSync, { status: 'resolved' }, at(650));
    const routed = await handOverFromUnreachableFin(data.store, candidates, at(700));
    expect(routed).toEqual([c.changedSince, c.inFlightSync].sort());
    expect(await data.store.findConversation(c.pendingSync)).toMatchObject({ assignee: { id: human.id }, handoverReason: null });
    expect(await data.store.findConversation(c.deadSync)).toMatchObject({ status: 'resolved', assignee: { id: data.fin.id } });
    const entries = await new SqlActivityStore(data.database).scanActivity({ from: at(0), to: at(10_000), limit: 100 });
    expect(entries.map((entry) => entry.conversationId).sort()).toEqual(routed);
  });

  it('hands many over a batch per transaction, each once', async () => {
    const many = [];
    for (let i = 0; i < FAIL_SAFE_BATCH * 2 + 50; i++) many.push(await data.conversation({ at: at(SINCE + 1) }));
    let transactions = 0;
    const counted = { transaction: <T>(work: Parameters<typeof data.store.transaction<T>>[0]) => (transactions++, data.store.transaction(work)) };
    const routed = await routeFinConversationsToPeople({ failSafe: new SqlFailSafe(data.database), store: counted }, at(SINCE), at(700));
    expect(routed).toEqual([...many].sort());
    expect(transactions).toBe(3);
    const entries = await new SqlActivityStore(data.database).scanActivity({ from: at(0), to: at(10_000), limit: 1000 });
    expect(entries.map((entry) => entry.conversationId).sort()).toEqual(routed);
  });
});
