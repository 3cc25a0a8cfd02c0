/**
 * The outbox over SQL, on SQLite and PostgreSQL: coalescing, the typing throttle, claims (one
 * dispatcher per event, leases that run out), what resolving, releasing and replaying do to events
 * and their conversations, the delivery log's pages, and pruning.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { DeliveryAttempt, EventResolution, OutboxEvent } from '../../src/store/outbox-port.js';
import { writeTransaction } from '../../src/store/sql/database.js';
import { InvalidCursorError, SqlOutboxStore, enqueueSync } from '../../src/store/sql/sql-outbox-store.js';
import { sqlBackends } from '../support/finch.js';
import { attempt } from '../support/delivery-attempt.js';
import { at, openTestData, type TestData } from './support.js';

/** Seconds a claim lasts in these tests. */
const LEASE = 30;

describe.each(sqlBackends())('the SQL outbox on %s', (backend) => {
  let data: TestData;
  let outbox: SqlOutboxStore;

  beforeEach(async () => {
    data = await openTestData(backend);
    outbox = new SqlOutboxStore(data.database);
  });
  afterEach(() => data.close());

  const claim = (seconds: number, options: { limit?: number; worker?: string; store?: SqlOutboxStore } = {}) =>
    (options.store ?? outbox).claimDue(options.worker ?? 'w1', at(seconds), at(seconds + LEASE), options.limit ?? 100);

  async function eventsOf(conversationId: string): Promise<OutboxEvent[]> {
    const rows = await data.database.db.selectFrom('outbox_events').select('id').where('conversation_id', '=', conversationId).orderBy('id').execute();
    return Promise.all(rows.map(async ({ id }) => (await outbox.findEvent(id))!));
  }

  async function onlyEventOf(conversationId: string): Promise<OutboxEvent> {
    const events = await eventsOf(conversationId);
    expect(events).toHaveLength(1);
    return events[0]!;
  }

  /** A sync event for the conversation, claimed at `seconds` (nothing else may be due then). */
  async function claimedSync(conversationId: string, seconds = 0): Promise<OutboxEvent> {
    await data.enqueueSync(conversationId, at(seconds));
    const claimed = await claim(seconds);
    expect(claimed.map((event) => event.conversationId)).toEqual([conversationId]);
    return claimed[0]!;
  }

  /** A sync event for the conversation, claimed and resolved at `seconds`. */
  async function settledSync(conversationId: string, seconds: number, resolution: EventResolution): Promise<OutboxEvent> {
    const event = await claimedSync(conversationId, seconds);
    await outbox.resolve(event, resolution, attempt(event, at(seconds)), at(seconds));
    return (await outbox.findEvent(event.id))!;
  }

  /** As a dead sync event left it, long ago: "not synced with Fin". */
  const markNotSynced = (id: string) =>
    data.database.db
      .updateTable('conversations')
      .set({ fin_sync_failed_at: at(-100) })
      .where('id', '=', id)
      .execute();

  const conversationRow = (id: string) =>
    data.database.db.selectFrom('conversations').select(['fin_sync_failed_at', 'updated_at']).where('id', '=', id).executeTakeFirstOrThrow();

  describe('enqueueSync', () => {
    it('merges changes into the pending sync event, counting them', async () => {
      const conversation = await data.conversation();
      for (let second = 0; second < 5; second++) await data.enqueueSync(conversation, at(second));

      expect(await onlyEventOf(conversation)).toMatchObject({
        kind: 'sync',
        conversationId: conversation,
        agentId: null,
        payload: { conversation_id: conversation },
        status: 'pending',
        attempts: 0,
        coalesced: 4,
        availableAt: at(0),
        expiresAt: null,
        lastError: null,
        createdAt: at(0),
        updatedAt: at(4),
        deliveredAt: null,
      });
      expect((await onlyEventOf(conversation)).id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    });

    it('writes a new pending event while the last one is in flight, and merges into that', async () => {
      const conversation = await data.conversation();
      const inFlight = await claimedSync(conversation, 0);
      await data.enqueueSync(conversation, at(2));
      await data.enqueueSync(conversation, at(3));

      const [first, second] = await eventsOf(conversation);
      expect(first).toMatchObject({ id: inFlight.id, status: 'in_flight', coalesced: 0 });
      expect(second).toMatchObject({ status: 'pending', coalesced: 1, availableAt: at(2), updatedAt: at(3) });
    });

    it('keeps the events of different conversations apart', async () => {
      const [one, two] = [await data.conversation(), await data.conversation()];
      await data.enqueueSync(one, at(0));
      await data.enqueueSync(two, at(0));
      expect((await onlyEventOf(one)).coalesced).toBe(0);
      expect((await onlyEventOf(two)).coalesced).toBe(0);
    });

    it('rolls back with the transaction it rode in', async () => {
      const conversation = await data.conversation();
      await expect(
        data.store.transaction(async (tx) => {
          await tx.enqueueSync(conversation, at(0));
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(await eventsOf(conversation)).toEqual([]);
    });
  });

  describe('enqueueTyping', () => {
    const typing = (conversationId: string, agentId: string, seconds: number) => ({
      conversationId,
      agentId,
      payload: { conversation_id: conversationId, event_type: 'agent_typing', data: { agent: { id: agentId } } },
      at: at(seconds),
      expiresAt: at(seconds + 5),
      throttleSince: at(seconds - 3),
    });

    it('writes one typing event per conversation and agent in the throttle window', async () => {
      const [conversation, other] = [await data.conversation(), await data.conversation()];
      const [hana, ivo] = [await data.humanAgent('Hana'), await data.humanAgent('Ivo')];

      expect(await data.enqueueTyping(typing(conversation, hana.id, 10))).toBe(true);
      expect(await data.enqueueTyping(typing(conversation, hana.id, 11))).toBe(false);
      expect(await data.enqueueTyping(typing(conversation, hana.id, 13))).toBe(false);
      expect(await data.enqueueTyping(typing(conversation, ivo.id, 11))).toBe(true);
      expect(await data.enqueueTyping(typing(other, hana.id, 11))).toBe(true);
      expect(await data.enqueueTyping(typing(conversation, hana.id, 13.001))).toBe(true);

      const events = await eventsOf(conversation);
      expect(events.map((event) => [event.agentId, event.createdAt])).toEqual([
        [hana.id, at(10)],
        [ivo.id, at(11)],
        [hana.id, at(13.001)],
      ]);
      expect(events[0]).toMatchObject({
        kind: 'typing',
        status: 'pending',
        payload: typing(conversation, hana.id, 10).payload,
        availableAt: at(10),
        expiresAt: at(15),
        coalesced: 0,
      });
    });

    it('writes one event when the same agent types in several transactions at once', async () => {
      const conversation = await data.conversation();
      const hana = await data.humanAgent();
      const pools = data.pools(3);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, index) => data.enqueueTyping(typing(conversation, hana.id, 10), pools[index % pools.length])),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await eventsOf(conversation)).toHaveLength(1);
    });
  });

  describe('claimDue', () => {
    it('claims due events oldest first up to the limit, for the lease, counting the attempt', async () => {
      const conversations = [await data.conversation(), await data.conversation(), await data.conversation(), await data.conversation()];
      const hana = await data.humanAgent();
      await data.enqueueSync(conversations[0]!, at(0));
      await data.enqueueTyping({ conversationId: conversations[1]!, agentId: hana.id, payload: {}, at: at(1), expiresAt: at(6), throttleSince: at(-2) });
      await data.enqueueSync(conversations[2]!, at(2));
      await data.enqueueSync(conversations[3]!, at(35));

      const first = await claim(10, { limit: 2 });
      expect(first.map((event) => [event.conversationId, event.kind])).toEqual([
        [conversations[0], 'sync'],
        [conversations[1], 'typing'],
      ]);
      expect(first[0]).toMatchObject({ status: 'in_flight', attempts: 1, availableAt: at(10 + LEASE), updatedAt: at(10) });
      expect(await outbox.findEvent(first[0]!.id)).toEqual(first[0]);

      expect((await claim(10)).map((event) => event.conversationId)).toEqual([conversations[2]]);
      expect(await claim(10)).toEqual([]);
      expect(await claim(34)).toEqual([]);
      expect((await claim(35)).map((event) => event.conversationId)).toEqual([conversations[3]]);
    });

    it('claims an event again once its lease has run out (its dispatcher died)', async () => {
      const conversation = await data.conversation();
      const lost = await claimedSync(conversation, 0);
      expect(await claim(LEASE - 1, { worker: 'w2' })).toEqual([]);

      const [again] = await claim(LEASE, { worker: 'w2' });
      expect(again).toMatchObject({ id: lost.id, status: 'in_flight', attempts: 2, availableAt: at(2 * LEASE) });
      const row = await data.database.db.selectFrom('outbox_events').select('claimed_by').where('id', '=', lost.id).executeTakeFirstOrThrow();
      expect(row.claimed_by).toBe('w2');
    });

    it('gives each event to exactly one of several dispatchers claiming at once from two pools', async () => {
      const conversations: string[] = [];
      for (let index = 0; index < 200; index++) conversations.push(await data.conversation());
      for (const conversation of conversations) await data.enqueueSync(conversation, at(0));

      const stores = data.pools(2).map((pool) => new SqlOutboxStore(pool));
      const claimedBy = new Map<string, string[]>();
      const dispatch = async (store: SqlOutboxStore, worker: string) => {
        for (;;) {
          const events = await claim(1, { store, worker, limit: 7 });
          if (events.length === 0) return;
          for (const event of events) claimedBy.set(event.id, [...(claimedBy.get(event.id) ?? []), worker]);
        }
      };
      await Promise.all(stores.flatMap((store, pool) => [0, 1, 2, 3].map((lane) => dispatch(store, `p${pool}-${lane}`))));

      expect(claimedBy.size).toBe(200);
      expect([...claimedBy.values()].filter((workers) => workers.length !== 1)).toEqual([]);
      // Claims did spread over the dispatchers (not a test of fairness, only that they competed).
      expect(new Set([...claimedBy.values()].flat()).size).toBeGreaterThan(1);
      const inFlight = await data.database.db.selectFrom('outbox_events').select('id').where('status', '=', 'in_flight').where('attempts', '=', 1).execute();
      expect(inFlight).toHaveLength(200);
    });
  });

  describe('resolve', () => {
    it('delivered: the event is done, the attempt logged, the conversation synced again', async () => {
      const conversation = await data.conversation();
      await markNotSynced(conversation);
      const event = await claimedSync(conversation, 0);

      await outbox.resolve(event, { status: 'delivered' }, attempt(event, at(1), 'delivered'), at(1));

      expect(await outbox.findEvent(event.id)).toMatchObject({ status: 'delivered', deliveredAt: at(1), lastError: null, updatedAt: at(1), attempts: 1 });
      expect(await conversationRow(conversation)).toEqual({ fin_sync_failed_at: null, updated_at: at(0) });
      const { deliveries } = await outbox.listDeliveries({ limit: 10 });
      expect(deliveries).toEqual([{ id: expect.stringMatching(/^dlv_[0-9A-HJKMNP-TV-Z]{26}$/), ...attempt(event, at(1), 'delivered') }]);
      expect(await outbox.findDelivery(deliveries[0]!.id)).toEqual(deliveries[0]);
      expect(await outbox.findDelivery('dlv_unknown')).toBeUndefined();
    });

    it("delivered: the inbox hears of the conversation when its 'not synced' flag clears, and only then", async () => {
      const flagged = await data.conversation();
      const synced = await data.conversation();
      await markNotSynced(flagged);
      const events = [await claimedSync(synced, 0), await claimedSync(flagged, 0)];
      // Listening from here: creating the conversations was a change the inbox heard of.
      const heard: string[] = [];
      const stop = await data.database.changes.subscribe((ids) => heard.push(...ids));
      try {
        for (const event of events) await outbox.resolve(event, { status: 'delivered' }, attempt(event, at(1), 'delivered'), at(1));
        // On PostgreSQL the announcement travels through NOTIFY, heard a moment after the commit.
        await expect.poll(() => heard, { timeout: 5000 }).toContain(flagged);
        expect(heard).toEqual([flagged]);
        expect((await conversationRow(flagged)).fin_sync_failed_at).toBeNull();
      } finally {
        await stop();
      }
    });

    it('pending: due again at the time given, with the error', async () => {
      const conversation = await data.conversation();
      const event = await claimedSync(conversation, 0);
      await outbox.resolve(event, { status: 'pending', availableAt: at(300), error: 'timeout' }, attempt(event, at(1)), at(1));

      expect(await outbox.findEvent(event.id)).toMatchObject({ status: 'pending', availableAt: at(300), lastError: 'timeout', attempts: 1, updatedAt: at(1) });
      expect(await claim(299)).toEqual([]);
      expect(await claim(300)).toMatchObject([{ id: event.id, attempts: 2 }]);
    });

    it('pending while another sync event is pending for the conversation: superseded by it', async () => {
      const conversation = await data.conversation();
      const event = await claimedSync(conversation, 0);
      await data.enqueueSync(conversation, at(1));

      await outbox.resolve(event, { status: 'pending', availableAt: at(300), error: 'timeout' }, attempt(event, at(2)), at(2));

      const [superseded, pending] = await eventsOf(conversation);
      expect(superseded).toMatchObject({ id: event.id, status: 'superseded', lastError: 'timeout', updatedAt: at(2) });
      expect(pending).toMatchObject({ status: 'pending', availableAt: at(1), coalesced: 0 });
    });

    // SQLite runs one write transaction at a time, so nothing can be written at the same time there.
    if (backend !== 'sqlite')
      it('supersedes, rather than fails, when that pending event is being written at the same time', async () => {
        const conversation = await data.conversation();
        const event = await claimedSync(conversation, 0);
        let enqueued!: () => void;
        let commit!: () => void;
        const written = new Promise<void>((resolve) => (enqueued = resolve));
        const committed = new Promise<void>((resolve) => (commit = resolve));
        const writer = writeTransaction(data.database, async (trx) => {
          await enqueueSync(trx, data.database.dialect, conversation, at(1));
          // The event's insert is held until the transaction's next statement (named-statements.ts): send it.
          await sql`select 1`.execute(trx);
          enqueued();
          await committed;
        });
        await written;
        // The resolution cannot see the uncommitted event; the unique index makes it wait for it.
        const resolving = outbox.resolve(event, { status: 'pending', availableAt: at(300), error: 'timeout' }, attempt(event, at(2)), at(2));
        await new Promise((resolve) => setTimeout(resolve, 200));
        commit();
        await Promise.all([writer, resolving]);

        expect((await eventsOf(conversation)).map((each) => each.status)).toEqual(['superseded', 'pending']);
        expect((await outbox.listDeliveries({ limit: 10 })).deliveries).toHaveLength(1);
      });

    it('dead: the conversation is flagged as not synced, without counting as a change to it', async () => {
      const conversation = await data.conversation();
      const event = await settledSync(conversation, 5, { status: 'dead', error: 'gave up after 3 days' });

      expect(event).toMatchObject({ status: 'dead', lastError: 'gave up after 3 days', updatedAt: at(5), deliveredAt: null });
      expect(await conversationRow(conversation)).toEqual({ fin_sync_failed_at: at(5), updated_at: at(0) });

      // A later sync event that gets through clears the flag.
      await settledSync(conversation, 10, { status: 'delivered' });
      expect((await conversationRow(conversation)).fin_sync_failed_at).toBeNull();
    });

    it('typing events never touch the conversation', async () => {
      const conversation = await data.conversation();
      const hana = await data.humanAgent();
      await markNotSynced(conversation);
      await data.enqueueTyping({ conversationId: conversation, agentId: hana.id, payload: {}, at: at(0), expiresAt: at(5), throttleSince: at(-3) });
      await data.enqueueTyping({ conversationId: conversation, agentId: hana.id, payload: {}, at: at(10), expiresAt: at(15), throttleSince: at(7) });
      const [expiring, delivered] = await claim(10);

      await outbox.resolve(expiring!, { status: 'expired', error: 'expired before it could be sent' }, null, at(11));
      await outbox.resolve(delivered!, { status: 'delivered' }, attempt(delivered!, at(11), 'delivered'), at(11));

      expect(await outbox.findEvent(expiring!.id)).toMatchObject({ status: 'expired', lastError: 'expired before it could be sent' });
      expect(await outbox.findEvent(delivered!.id)).toMatchObject({ status: 'delivered' });
      expect(await conversationRow(conversation)).toEqual({ fin_sync_failed_at: at(-100), updated_at: at(0) });
      expect((await outbox.listDeliveries({ limit: 10 })).deliveries).toHaveLength(1);
    });

    it('a late resolution, after another dispatcher took the lease over, changes nothing but is logged', async () => {
      const conversation = await data.conversation();
      const late = await claimedSync(conversation, 0);
      const [current] = await claim(LEASE + 1, { worker: 'w2' });

      await outbox.resolve(late, { status: 'dead', error: 'too late' }, attempt(late, at(LEASE + 2)), at(LEASE + 2));
      expect(await outbox.findEvent(late.id)).toEqual(current);
      expect((await conversationRow(conversation)).fin_sync_failed_at).toBeNull();
      expect((await outbox.listDeliveries({ limit: 10 })).deliveries.map((delivery) => delivery.attempt)).toEqual([1]);

      await outbox.resolve(current!, { status: 'delivered' }, attempt(current!, at(LEASE + 3), 'delivered'), at(LEASE + 3));
      expect(await outbox.findEvent(late.id)).toMatchObject({ status: 'delivered', attempts: 2 });
      expect((await outbox.listDeliveries({ limit: 10 })).deliveries.map((delivery) => delivery.attempt)).toEqual([2, 1]);
    });

    it('a late delivery, after another dispatcher took the lease over, is logged and leaves the event and the flag to that one', async () => {
      const conversation = await data.conversation();
      await markNotSynced(conversation);
      const late = await claimedSync(conversation, 0);
      const [current] = await claim(LEASE + 1, { worker: 'w2' });

      await outbox.resolve(late, { status: 'delivered' }, attempt(late, at(LEASE + 2), 'delivered'), at(LEASE + 2));
      expect(await outbox.findEvent(late.id)).toEqual(current);
      expect((await conversationRow(conversation)).fin_sync_failed_at).toBe(at(-100));
      expect((await outbox.listDeliveries({ limit: 10 })).deliveries).toEqual([
        { id: expect.stringMatching(/^dlv_/), ...attempt(late, at(LEASE + 2), 'delivered') },
      ]);
    });
  });

  describe('settleDelivered', () => {
    it('settles several deliveries in one write: each logged, delivered at its time, its flag cleared; a late one only logged', async () => {
      const [flagged, synced, typingIn, lateIn] = [await data.conversation(), await data.conversation(), await data.conversation(), await data.conversation()];
      const agent = await data.humanAgent();
      // A typing notification delivered says nothing of the conversation's sync: its flag stays.
      for (const id of [flagged, typingIn, lateIn]) await markNotSynced(id);
      // `lateIn`'s event was claimed at 0, and taken over by another dispatcher once the lease ran out.
      const late = await claimedSync(lateIn, 0);
      const [current] = await claim(LEASE + 1, { worker: 'w2' });
      expect(current!.id).toBe(late.id);
      for (const id of [flagged, synced]) await data.enqueueSync(id, at(LEASE + 1));
      await data.enqueueTyping({
        conversationId: typingIn,
        agentId: agent.id,
        payload: {},
        at: at(LEASE + 1),
        expiresAt: at(LEASE + 30),
        throttleSince: at(LEASE - 2),
      });
      const claimed = [...(await claim(LEASE + 1)), late];
      expect(claimed).toHaveLength(4);
      const of = (conversationId: string) => claimed.find((event) => event.conversationId === conversationId)!;
      const heard: string[] = [];
      const stop = await data.database.changes.subscribe((ids) => heard.push(...ids));
      try {
        const settling = [flagged, synced, typingIn, lateIn].map((id, index) => ({
          event: of(id),
          attempt: attempt(of(id), at(LEASE + 2 + index), 'delivered'),
          at: at(LEASE + 2 + index),
        }));
        await outbox.settleDelivered(settling);

        for (const [index, id] of [flagged, synced, typingIn].entries()) {
          expect(await outbox.findEvent(of(id).id)).toMatchObject({ status: 'delivered', deliveredAt: at(LEASE + 2 + index), lastError: null, attempts: 1 });
        }
        expect(await outbox.findEvent(of(lateIn).id)).toEqual(current);
        expect((await conversationRow(flagged)).fin_sync_failed_at).toBeNull();
        expect((await conversationRow(lateIn)).fin_sync_failed_at).toBe(at(-100));
        expect((await conversationRow(typingIn)).fin_sync_failed_at).toBe(at(-100));
        const { deliveries } = await outbox.listDeliveries({ limit: 10 });
        expect(deliveries.map(({ id, ...logged }) => logged)).toEqual(settling.map((each) => each.attempt).reverse());
        // On PostgreSQL the announcement travels through NOTIFY, heard a moment after the commit.
        await expect.poll(() => heard, { timeout: 5000 }).toContain(flagged);
        expect(heard).toEqual([flagged]);
      } finally {
        await stop();
      }
      await outbox.settleDelivered([]);
      expect((await outbox.listDeliveries({ limit: 10 })).deliveries).toHaveLength(4);
    });
  });

  describe('release', () => {
    it('puts the event back untouched, due at the time given', async () => {
      const conversation = await data.conversation();
      const event = await claimedSync(conversation, 0);
      await outbox.release(event, at(5));

      expect(await outbox.findEvent(event.id)).toMatchObject({ status: 'pending', attempts: 0, availableAt: at(5), lastError: null, updatedAt: at(0) });
      expect(await claim(4)).toEqual([]);
      expect(await claim(5)).toMatchObject([{ id: event.id, attempts: 1 }]);
      expect((await outbox.listDeliveries({ limit: 10 })).deliveries).toEqual([]);
    });

    it('supersedes the event when another sync event is pending for the conversation', async () => {
      const conversation = await data.conversation();
      const event = await claimedSync(conversation, 0);
      await data.enqueueSync(conversation, at(1));
      await outbox.release(event, at(5));

      expect((await eventsOf(conversation)).map((each) => each.status)).toEqual(['superseded', 'pending']);
    });

    it('does nothing once the lease was taken over', async () => {
      const conversation = await data.conversation();
      const late = await claimedSync(conversation, 0);
      const [current] = await claim(LEASE + 1, { worker: 'w2' });
      await outbox.release(late, at(LEASE + 2));
      expect(await outbox.findEvent(late.id)).toEqual(current);
    });
  });

  describe('replay', () => {
    it('puts a dead or delivered event back to pending, due now, with a fresh count of attempts', async () => {
      const [one, two] = [await data.conversation(), await data.conversation()];
      const dead = await settledSync(one, 0, { status: 'dead', error: 'gave up' });
      const delivered = await settledSync(two, 1, { status: 'delivered' });

      expect(await outbox.replayEvent(dead.id, at(100))).toBe(true);
      expect(await outbox.replayEvent(delivered.id, at(100))).toBe(true);

      for (const id of [dead.id, delivered.id]) {
        expect(await outbox.findEvent(id)).toMatchObject({
          status: 'pending',
          attempts: 0,
          availableAt: at(100),
          lastError: null,
          deliveredAt: null,
          updatedAt: at(100),
        });
      }
      expect((await claim(100)).map((event) => event.id)).toEqual([dead.id, delivered.id]);
    });

    it('supersedes the replayed event when a sync event is already pending for the conversation', async () => {
      const conversation = await data.conversation();
      const dead = await settledSync(conversation, 0, { status: 'dead', error: 'gave up' });
      await data.enqueueSync(conversation, at(50));

      expect(await outbox.replayEvent(dead.id, at(100))).toBe(true);
      expect((await eventsOf(conversation)).map((event) => event.status)).toEqual(['superseded', 'pending']);
    });

    it('leaves pending and in-flight events as they are, refuses typing events, and knows no unknown ones', async () => {
      const [one, two] = [await data.conversation(), await data.conversation()];
      const hana = await data.humanAgent();
      await data.enqueueTyping({ conversationId: two, agentId: hana.id, payload: {}, at: at(0), expiresAt: at(5), throttleSince: at(-3) });
      await data.enqueueSync(one, at(0));
      const [typing, inFlight] = await claim(0);
      await outbox.resolve(typing!, { status: 'expired', error: 'Fin answered 503' }, null, at(1));
      await data.enqueueSync(two, at(1));
      const pending = (await eventsOf(two)).find((event) => event.kind === 'sync')!;

      expect(typing!.kind).toBe('typing');
      expect(await outbox.replayEvent(inFlight!.id, at(100))).toBe(true);
      expect(await outbox.replayEvent(pending.id, at(100))).toBe(true);
      expect(await outbox.replayEvent(typing!.id, at(100))).toBe(false);
      expect(await outbox.replayEvent('evt_unknown', at(100))).toBe(false);

      expect(await outbox.findEvent(inFlight!.id)).toMatchObject({ status: 'in_flight', attempts: 1 });
      expect(await outbox.findEvent(pending.id)).toEqual(pending);
      expect(await outbox.findEvent(typing!.id)).toMatchObject({ status: 'expired' });
    });

    it('replayDead replays the dead events written in [from, to), one pending event per conversation', async () => {
      const [early, inRange, twice, late] = [await data.conversation(), await data.conversation(), await data.conversation(), await data.conversation()];
      const dead = { status: 'dead', error: 'gave up' } as const;
      const beforeRange = await settledSync(early, 0, dead);
      const replayed = await settledSync(inRange, 10, dead);
      const firstOfTwo = await settledSync(twice, 11, dead);
      const secondOfTwo = await settledSync(twice, 12, dead);
      const delivered = await settledSync(late, 13, { status: 'delivered' });
      const afterRange = await settledSync(late, 20, dead);

      expect(await outbox.replayDead(at(10), at(20), at(100))).toBe(3);

      const status = async (event: OutboxEvent) => (await outbox.findEvent(event.id))!.status;
      expect(await status(beforeRange)).toBe('dead');
      expect(await status(replayed)).toBe('pending');
      expect([await status(firstOfTwo), await status(secondOfTwo)]).toEqual(['pending', 'superseded']);
      expect(await status(delivered)).toBe('delivered');
      expect(await status(afterRange)).toBe('dead');
      expect(await outbox.replayDead(at(10), at(20), at(101))).toBe(0);
    });
  });

  describe('listDeliveries', () => {
    /** Five attempts of one event and one of another, logged out of order. */
    async function logAttempts(): Promise<{ event: OutboxEvent; other: OutboxEvent }> {
      const [conversation, otherConversation] = [await data.conversation(), await data.conversation()];
      await data.enqueueSync(conversation, at(0));
      await data.enqueueSync(otherConversation, at(0));
      const [event, other] = await claim(0);
      const log = (target: OutboxEvent, seconds: number, outcome?: DeliveryAttempt['outcome']) =>
        outbox.resolve(target, { status: 'pending', availableAt: at(600), error: 'x' }, attempt(target, at(seconds), outcome), at(seconds));
      await log(event!, 30);
      await log(event!, 10);
      await log(event!, 20);
      await log(event!, 20, 'disabled');
      await log(event!, 40);
      await log(other!, 25, 'dead');
      return { event: event!, other: other! };
    }

    it('pages through the attempts newest first, ties broken by id', async () => {
      await logAttempts();
      const everything = (await outbox.listDeliveries({ limit: 100 })).deliveries;
      expect(everything.map((delivery) => delivery.createdAt)).toEqual([at(40), at(30), at(25), at(20), at(20), at(10)]);
      expect(everything[3]!.id > everything[4]!.id).toBe(true);

      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await outbox.listDeliveries({ limit: 4, ...(cursor ? { cursor } : {}) });
        pages.push(page.deliveries.map((delivery) => delivery.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(pages.map((page) => page.length)).toEqual([4, 2]);
      expect(pages.flat()).toEqual(everything.map((delivery) => delivery.id));

      const exact = await outbox.listDeliveries({ limit: 3 });
      const rest = await outbox.listDeliveries({ limit: 3, cursor: exact.nextCursor! });
      expect(rest).toMatchObject({ nextCursor: null });
      expect(rest.deliveries).toHaveLength(3);
    });

    it('filters by event, conversation and outcome', async () => {
      const { event, other } = await logAttempts();
      expect((await outbox.listDeliveries({ limit: 100, eventId: event.id })).deliveries).toHaveLength(5);
      expect((await outbox.listDeliveries({ limit: 100, conversationId: other.conversationId })).deliveries.map((d) => d.eventId)).toEqual([other.id]);
      expect((await outbox.listDeliveries({ limit: 100, outcome: 'disabled' })).deliveries.map((d) => d.createdAt)).toEqual([at(20)]);
      const page = await outbox.listDeliveries({ limit: 2, eventId: event.id });
      expect((await outbox.listDeliveries({ limit: 100, eventId: event.id, cursor: page.nextCursor! })).deliveries.map((d) => d.createdAt)).toEqual([
        at(20),
        at(20),
        at(10),
      ]);
    });

    it.each([
      ['not base64 JSON', 'not a cursor!'],
      ['JSON of another shape', Buffer.from('[1,2]').toString('base64url')],
      ['a number for the time', Buffer.from('{"of":"deliveries","created_at":1,"id":"dlv_1"}').toString('base64url')],
      ['a time that is not one', Buffer.from('{"of":"deliveries","created_at":"yesterday","id":"dlv_1"}').toString('base64url')],
      ['no id', Buffer.from(`{"of":"deliveries","created_at":"${at(0)}"}`).toString('base64url')],
      ["another list's (a thread's)", Buffer.from(`{"of":"thread:conv_1","created_at":"${at(0)}","id":"dlv_1"}`).toString('base64url')],
      ['one that names no list (an older Finch wrote it)', Buffer.from(`{"created_at":"${at(0)}","id":"dlv_1"}`).toString('base64url')],
    ])('refuses a cursor that is %s', async (_, cursor) => {
      const refused = outbox.listDeliveries({ limit: 10, cursor });
      await expect(refused).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(refused).rejects.toMatchObject({ name: 'InvalidCursorError' });
    });
  });

  describe('prune', () => {
    it('deletes old attempts and old finished events, and keeps the rest', async () => {
      const [old, recent, waiting, retrying] = [await data.conversation(), await data.conversation(), await data.conversation(), await data.conversation()];
      const oldEvent = await settledSync(old, 10, { status: 'delivered' });
      const retryingEvent = await settledSync(retrying, 20, { status: 'pending', availableAt: at(10_000), error: 'timeout' });
      const recentEvent = await settledSync(recent, 200, { status: 'delivered' });
      await data.enqueueSync(waiting, at(0));
      const waitingEvent = await onlyEventOf(waiting);

      await outbox.prune(at(100));

      expect(await outbox.findEvent(oldEvent.id)).toBeUndefined();
      expect(await outbox.findEvent(retryingEvent.id)).toBeDefined();
      expect(await outbox.findEvent(recentEvent.id)).toBeDefined();
      expect(await outbox.findEvent(waitingEvent.id)).toEqual(waitingEvent);
      expect((await outbox.listDeliveries({ limit: 10 })).deliveries.map((delivery) => delivery.eventId)).toEqual([recentEvent.id]);
    });
  });
});
