/**
 * The outbox over SQL, for SQLite and PostgreSQL alike (outbox-port.ts says what it promises).
 *
 * Dispatchers in several processes share the table. On PostgreSQL a claim takes its rows with
 * `FOR UPDATE SKIP LOCKED`, so each event goes to one dispatcher and none waits for another; on
 * SQLite every write runs in a write transaction, which the database serializes. Every later change
 * to a claimed event is guarded by the claim it came from (still in flight, same attempt count), so
 * a dispatcher whose lease ran out cannot overwrite what the dispatcher that took over did.
 */
import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Insertable,
  type Kysely,
  type QueryCreator,
  type RawBuilder,
  type Selectable,
  type SqlBool,
  type UpdateObject,
} from 'kysely';
import { encodeCursor, readCursor } from '../../domain/helpdesk/cursor.js';
import { ulid } from '../../domain/ids.js';
import type { Delivered, DeliveryAttempt, DeliveryPage, EventResolution, OutboxEvent, OutboxKind, OutboxStore, AttemptOutcome } from '../outbox-port.js';
import { atomically, writeTransaction, type Database, type Dialect, type SqlScope } from './database.js';
import { prepared } from './prepared.js';
import { json } from './rows.js';
import type { OutboxEventsTable, Schema, WebhookDeliveriesTable } from './schema.js';
import { INBOX_CHANNEL } from './change-feed.js';
import { isUniqueViolation } from './errors.js';

type EventRow = Selectable<OutboxEventsTable>;
type DeliveryRow = Selectable<WebhookDeliveriesTable>;
type EventFilter = (eb: ExpressionBuilder<Schema, 'outbox_events'>) => Expression<SqlBool>;
type EventChanges = UpdateObject<Schema, 'outbox_events'>;

/**
 * Kinds and statuses that select a partial index are written into the SQL, not bound: PostgreSQL
 * runs Finch's queries as named prepared statements, and a generic plan can neither use a partial
 * index (`outbox_due`) nor infer `outbox_one_pending_sync` as ON CONFLICT's arbiter from a
 * predicate whose values are parameters. SQLite's upsert matches the index predicate the same way.
 */
function literal<T extends string>(value: T): RawBuilder<T> {
  return sql.lit(value);
}

const SYNC = literal('sync');
const TYPING = literal('typing');
const PENDING = literal('pending');
const IN_FLIGHT = literal('in_flight');
const SUPERSEDED = literal('superseded');
const DUE = [PENDING, IN_FLIGHT];
/** Nothing more happens to these unless an admin replays them. */
const FINISHED = (['delivered', 'dead', 'expired', 'superseded'] as const).map(literal);

// --- writes in the transaction of the change they announce (OutboxWriter) -------------------------

/** Runs in every transaction that changes a conversation, so compiled once (see prepared.ts). */
const ENQUEUE_SYNC = prepared((db, id: string, conversationId: string, payload: string, at: string) =>
  db
    .insertInto('outbox_events')
    .values({ ...newEvent('sync', conversationId, null, at, null), id, payload })
    .onConflict((conflict) =>
      conflict
        .column('conversation_id')
        .where('kind', '=', SYNC)
        .where('status', '=', PENDING)
        .doUpdateSet((eb) => ({ coalesced: eb('outbox_events.coalesced', '+', 1), updated_at: at })),
    ),
);

/**
 * A sync event for the conversation, or one more change counted on the one already pending.
 * `db` is the caller's transaction.
 */
export async function enqueueSync(db: Kysely<Schema>, dialect: Dialect, conversationId: string, at: string): Promise<void> {
  // Nothing reads its answer: in a transaction on PostgreSQL it goes with the next statement.
  await ENQUEUE_SYNC.send(db, dialect, newEventId(), conversationId, JSON.stringify({ conversation_id: conversationId }), at);
}

/**
 * A typing event, unless one for the same conversation and agent was written at or after
 * `throttleSince`. `db` is the caller's transaction. On PostgreSQL the conversation row is locked
 * first, so two concurrent calls take turns and the second sees the first's event; SQLite write
 * transactions already take turns.
 */
export async function enqueueTyping(
  db: Kysely<Schema>,
  dialect: Dialect,
  event: { conversationId: string; agentId: string; payload: Record<string, unknown>; at: string; expiresAt: string; throttleSince: string },
): Promise<boolean> {
  if (dialect === 'postgres') {
    // NO KEY UPDATE: turns with other writers of the conversation, not with inserts that reference it.
    await db.selectFrom('conversations').select('id').where('id', '=', event.conversationId).forNoKeyUpdate().execute();
  }
  const recent = await db
    .selectFrom('outbox_events')
    .select('id')
    .where('conversation_id', '=', event.conversationId)
    .where('kind', '=', TYPING)
    .where('agent_id', '=', event.agentId)
    .where('created_at', '>=', event.throttleSince)
    .limit(1)
    .executeTakeFirst();
  if (recent) return false;
  await db
    .insertInto('outbox_events')
    .values({ ...newEvent('typing', event.conversationId, event.agentId, event.at, event.expiresAt), id: newEventId(), payload: JSON.stringify(event.payload) })
    .execute();
  return true;
}

/** Delivery ids sort by the time they were made, like event ids. */
function newDeliveryId(): string {
  return `dlv_${ulid(Date.now())}`;
}

/** Event ids sort by the time they were made (ids.ts has no `evt` prefix of its own). */
function newEventId(): string {
  return `evt_${ulid(Date.now())}`;
}

/** A pending event, due at once; the caller adds its id and payload. */
function newEvent(
  kind: OutboxKind,
  conversationId: string,
  agentId: string | null,
  at: string,
  expiresAt: string | null,
): Omit<Insertable<OutboxEventsTable>, 'id' | 'payload'> {
  return {
    kind,
    conversation_id: conversationId,
    agent_id: agentId,
    status: 'pending',
    attempts: 0,
    coalesced: 0,
    available_at: at,
    expires_at: expiresAt,
    claimed_by: null,
    last_error: null,
    created_at: at,
    updated_at: at,
    delivered_at: null,
  };
}

// --- the dispatcher's side ---------------------------------------------------------------------------

/**
 * Due events (pending, or in flight past a crashed dispatcher's lease: while in flight,
 * `available_at` holds the lease's end) become this dispatcher's until `leaseUntil`. On PostgreSQL
 * rows another dispatcher is claiming are passed over, not waited for. Every dispatcher runs this
 * on every cycle, so it is compiled once per dialect (see prepared.ts).
 */
const claimQuery = (skipLocked: boolean) =>
  prepared((db, worker: string, now: string, leaseUntil: string, limit: number) => {
    const due = db
      .selectFrom('outbox_events')
      .select('id')
      .where('status', 'in', DUE)
      .where('available_at', '<=', now)
      .orderBy('available_at')
      .orderBy('id')
      .limit(limit);
    return db
      .updateTable('outbox_events')
      .set((eb) => ({ status: 'in_flight', claimed_by: worker, available_at: leaseUntil, attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', 'in', skipLocked ? due.forUpdate().skipLocked() : due)
      .returningAll();
  });
/** SQLite has no row locks to skip: its write transactions already run one at a time. */
const CLAIM = { postgres: claimQuery(true), sqlite: claimQuery(false) };

// --- settling an attempt -----------------------------------------------------------------------------
// Every attempt is logged, and almost every one is a delivery Fin accepted, so these run once per
// change Fin is told of: built and compiled once (prepared.ts), not on every call.

/** A delivery log row from its columns in order (the prepared statements' arguments). */
function deliveryValues(
  id: string,
  eventId: string,
  conversationId: string,
  kind: OutboxKind,
  attempt: number,
  url: string,
  statusCode: number | null,
  latencyMs: number | null,
  responseExcerpt: string | null,
  error: string | null,
  outcome: AttemptOutcome,
  nextAttemptAt: string | null,
  createdAt: string,
): Insertable<WebhookDeliveriesTable> {
  return {
    id,
    event_id: eventId,
    conversation_id: conversationId,
    kind,
    attempt,
    url,
    status_code: statusCode,
    latency_ms: latencyMs,
    response_excerpt: responseExcerpt,
    error,
    outcome,
    next_attempt_at: nextAttemptAt,
    created_at: createdAt,
  };
}

type DeliveryColumns = Parameters<typeof deliveryValues>;

/** The attempt's columns in `deliveryValues`' order, under a new id. */
function deliveryColumns(attempt: Omit<DeliveryAttempt, 'id'>): DeliveryColumns {
  return [
    newDeliveryId(),
    attempt.eventId,
    attempt.conversationId,
    attempt.kind,
    attempt.attempt,
    attempt.url,
    attempt.statusCode,
    attempt.latencyMs,
    attempt.responseExcerpt,
    attempt.error,
    attempt.outcome,
    attempt.nextAttemptAt,
    attempt.createdAt,
  ];
}

const LOG_ATTEMPT = prepared(
  (db, ...columns: DeliveryColumns) => db.insertInto('webhook_deliveries').values(deliveryValues(...columns)),
  deliveryValues.length,
);

/** The event delivered, if its claim still holds (`stillClaimed`); gives its conversation and kind. */
function settleDelivered(db: QueryCreator<Schema>, eventId: string, attempts: number, at: string) {
  return db
    .updateTable('outbox_events')
    .set({ status: 'delivered', delivered_at: at, last_error: null, updated_at: at })
    .where('id', '=', eventId)
    .where('status', '=', IN_FLIGHT)
    .where('attempts', '=', attempts)
    .returning(['conversation_id', 'kind']);
}

/** "Not synced with Fin" cleared after a delivery, where it was set (`flagNotSynced` sets it); gives those conversations. */
function clearNotSynced(db: QueryCreator<Schema>, which: (eb: ExpressionBuilder<Schema, 'conversations'>) => Expression<SqlBool>) {
  return db.updateTable('conversations').set({ fin_sync_failed_at: null }).where(which).where('fin_sync_failed_at', 'is not', null).returning('id');
}

/** SQLite: in the one write transaction `settleDelivered` opens, for each delivery. */
const SETTLE_DELIVERED = prepared((db, eventId: string, attempts: number, at: string) => settleDelivered(db, eventId, attempts, at));
const CLEAR_NOT_SYNCED = prepared((db, conversationId: string) => clearNotSynced(db, (eb) => eb('id', '=', conversationId)));

/** PostgreSQL's type of each `deliveryValues` column, in order, for the arrays `DELIVERED` unnests. */
const DELIVERY_TYPES = ['text', 'text', 'text', 'text', 'int', 'text', 'int', 'int', 'text', 'text', 'text', 'timestamptz', 'timestamptz'] as const;
/** The column names in `deliveryValues`' argument order (it lists them in that order). */
const DELIVERY_COLUMNS = Object.keys(deliveryValues(...(DELIVERY_TYPES as unknown as DeliveryColumns)));
/** One array per column: the rows of a batch, column by column. */
type ArraysOf<Row extends unknown[]> = { [K in keyof Row]: Row[K][] };
type DeliveryArrays = ArraysOf<DeliveryColumns>;

/**
 * PostgreSQL: deliveries Fin accepted, settled in one statement however many there are: the
 * attempts logged, each event delivered if its claim still holds, the conversations' "not synced"
 * flags cleared, and the inbox told of those (its NOTIFY, sent at the statement's commit). What
 * SQLite's transaction does, in one round trip instead of five per delivery. The rows come as one
 * array per column (`unnest`), so the statement is the same for any number and compiled once.
 * Data-modifying WITH is PostgreSQL's; SQLite, in process, has no round trip to save.
 */
const DELIVERED = prepared((db, eventIds: string[], attempts: number[], ats: string[], ...log: DeliveryArrays) => {
  const arrays = (values: unknown[], types: readonly string[]) => sql.join(values.map((value, index) => sql`${value}::${sql.raw(types[index]!)}[]`));
  const statement = sql`with settled as (
        update outbox_events as e
        set status = 'delivered', delivered_at = s.at, last_error = null, updated_at = s.at
        from unnest(${arrays([eventIds, attempts, ats], ['text', 'int', 'timestamptz'])}) as s(id, attempts, at)
        where e.id = s.id and e.status = ${IN_FLIGHT} and e.attempts = s.attempts
        returning e.conversation_id, e.kind
      ), logged as (
        insert into webhook_deliveries (${sql.join(DELIVERY_COLUMNS.map((column) => sql.ref(column)))})
        select * from unnest(${arrays(log, DELIVERY_TYPES)})
      ), flagged as (
        update conversations set fin_sync_failed_at = null
        where id in (select conversation_id from settled where kind = ${SYNC}) and fin_sync_failed_at is not null
        returning id
      )
      select pg_notify(${sql.lit(INBOX_CHANNEL)}, flagged.id) as notified from flagged`;
  return { compile: () => statement.compile(db) };
}, 3 + deliveryValues.length);

export class InvalidCursorError extends Error {
  constructor() {
    super('the cursor is not one this server handed out');
    this.name = 'InvalidCursorError';
  }
}

/**
 * The delivery log's replays (an admin's, through the unit of work), over the database or a write
 * transaction (database.ts's `SqlScope`): over a transaction they commit with it.
 */
export class SqlDeliveryReplays implements Pick<OutboxStore, 'findDelivery' | 'replayEvent' | 'replayDead'> {
  constructor(private readonly scope: SqlScope) {}

  /**
   * Typing events are not replayed (false, as for an unknown event): a typing indicator is only
   * true for a few seconds, and showing it later would be wrong.
   */
  async replayEvent(eventId: string, at: string): Promise<boolean> {
    return atomically(this.scope, async (trx) => {
      const event = await trx.selectFrom('outbox_events').select(['kind', 'status']).where('id', '=', eventId).executeTakeFirst();
      if (event?.kind !== 'sync') return false;
      // A pending or in-flight event will be delivered anyway; a concurrent replay that won also did it.
      if (event.status !== 'pending' && event.status !== 'in_flight') await replay(trx, eventId, at);
      return true;
    });
  }

  async replayDead(from: string, to: string, at: string): Promise<number> {
    return atomically(this.scope, async (trx) => {
      const dead = await trx
        .selectFrom('outbox_events')
        .select('id')
        .where('status', '=', literal('dead'))
        .where('kind', '=', SYNC)
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      // One at a time: of several dead events of one conversation, the first goes back to pending
      // and the others are superseded by it, which one UPDATE over all of them could not see.
      let replayed = 0;
      for (const { id } of dead) replayed += await replay(trx, id, at);
      return replayed;
    });
  }

  async findDelivery(deliveryId: string): Promise<DeliveryAttempt | undefined> {
    const row = await this.scope.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst();
    return row && deliveryFrom(row);
  }
}

export class SqlOutboxStore implements OutboxStore {
  private readonly replays: SqlDeliveryReplays;

  constructor(private readonly database: Database) {
    this.replays = new SqlDeliveryReplays(database);
  }

  async claimDue(worker: string, now: string, leaseUntil: string, limit: number): Promise<OutboxEvent[]> {
    const { db, dialect } = this.database;
    // The claim is one statement. On PostgreSQL that is a transaction of its own, so it runs
    // without begin and commit: one round trip instead of three, on every poll of every worker.
    // On SQLite it stays in a write transaction, which costs no round trip in-process.
    const rows =
      dialect === 'postgres'
        ? await CLAIM.postgres.run(db, dialect, worker, now, leaseUntil, limit)
        : await writeTransaction(this.database, (trx) => CLAIM.sqlite.run(trx, dialect, worker, now, leaseUntil, limit));
    // RETURNING has no order; ids follow the order the events were written in.
    return rows.map(eventFrom).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async resolve(event: OutboxEvent, resolution: EventResolution, attempt: Omit<DeliveryAttempt, 'id'> | null, at: string): Promise<void> {
    if (resolution.status === 'delivered') {
      if (!attempt) throw new TypeError('a delivery Fin accepted is an attempt: resolve it with the attempt');
      return this.settleDelivered([{ event, attempt, at }]);
    }
    const { dialect } = this.database;
    await writeTransaction(this.database, async (trx, changed) => {
      // Logged even when the claim was lost: the attempt was made.
      if (attempt) await LOG_ATTEMPT.run(trx, dialect, ...deliveryColumns(attempt));
      const settled = await settle(trx, stillClaimed(event), resolution, at);
      // The inbox shows whether the conversation is synced with Fin.
      if (settled && event.kind === 'sync' && resolution.status === 'dead' && (await flagNotSynced(trx, event.conversationId, at))) {
        changed.add(event.conversationId);
      }
    });
  }

  async settleDelivered(deliveries: readonly Delivered[]): Promise<void> {
    if (deliveries.length === 0) return;
    const { db, dialect } = this.database;
    if (dialect === 'postgres') {
      const rows = deliveries.map(({ attempt }) => deliveryColumns(attempt));
      const log = DELIVERY_COLUMNS.map((_, column) => rows.map((row) => row[column])) as unknown as DeliveryArrays;
      await DELIVERED.run(
        db,
        dialect,
        deliveries.map(({ event }) => event.id),
        deliveries.map(({ event }) => event.attempts),
        deliveries.map(({ at }) => at),
        ...log,
      );
      return;
    }
    await writeTransaction(this.database, async (trx, changed) => {
      for (const { event, attempt, at } of deliveries) {
        await LOG_ATTEMPT.run(trx, dialect, ...deliveryColumns(attempt));
        const [settled] = await SETTLE_DELIVERED.run(trx, dialect, event.id, event.attempts, at);
        if (settled?.kind === 'sync' && (await CLEAR_NOT_SYNCED.run(trx, dialect, settled.conversation_id)).length > 0) changed.add(settled.conversation_id);
      }
    });
  }

  async release(event: OutboxEvent, availableAt: string): Promise<void> {
    // No attempt was made, so the claim's attempt is given back. `updated_at` stays: nothing happened.
    await writeTransaction(this.database, (trx) => backToPending(trx, stillClaimed(event), { available_at: availableAt, attempts: sql<number>`attempts - 1` }));
  }

  replayEvent(eventId: string, at: string): Promise<boolean> {
    return this.replays.replayEvent(eventId, at);
  }

  replayDead(from: string, to: string, at: string): Promise<number> {
    return this.replays.replayDead(from, to, at);
  }

  async findEvent(eventId: string): Promise<OutboxEvent | undefined> {
    const row = await this.database.db.selectFrom('outbox_events').selectAll().where('id', '=', eventId).executeTakeFirst();
    return row && eventFrom(row);
  }

  findDelivery(deliveryId: string): Promise<DeliveryAttempt | undefined> {
    return this.replays.findDelivery(deliveryId);
  }

  /** Newest first, by (createdAt, id); `limit` is at least 1. */
  async listDeliveries(query: { limit: number; cursor?: string; eventId?: string; conversationId?: string; outcome?: AttemptOutcome }): Promise<DeliveryPage> {
    const after = query.cursor === undefined ? undefined : decodeDeliveryCursor(query.cursor);
    let select = this.database.db.selectFrom('webhook_deliveries').selectAll();
    if (query.eventId !== undefined) select = select.where('event_id', '=', query.eventId);
    if (query.conversationId !== undefined) select = select.where('conversation_id', '=', query.conversationId);
    if (query.outcome !== undefined) select = select.where('outcome', '=', query.outcome);
    if (after) select = select.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.created_at, after.id)));
    // One row more than asked tells whether there is a next page.
    const rows = await select
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      deliveries: page.map(deliveryFrom),
      nextCursor: rows.length > page.length && last ? encodeCursor(DELIVERY_LOG, { created_at: last.created_at, id: last.id }) : null,
    };
  }

  async prune(before: string): Promise<void> {
    const finishedBefore: EventFilter = (eb) => eb.and([eb('status', 'in', FINISHED), eb('updated_at', '<', before)]);
    await writeTransaction(this.database, async (trx) => {
      // The events' own attempts go first: the foreign key cascades, but not on a database where
      // foreign keys were switched off.
      await trx
        .deleteFrom('webhook_deliveries')
        .where((eb) => eb.or([eb('created_at', '<', before), eb('event_id', 'in', eb.selectFrom('outbox_events').select('id').where(finishedBefore))]))
        .execute();
      await trx.deleteFrom('outbox_events').where(finishedBefore).execute();
    });
  }
}

// --- event transitions -------------------------------------------------------------------------------

/** The event as its claim left it: once the lease was taken over (attempts went up), nothing matches. */
function stillClaimed(event: OutboxEvent): EventFilter {
  return (eb) => eb.and([eb('id', '=', event.id), eb('status', '=', IN_FLIGHT), eb('attempts', '=', event.attempts)]);
}

/** Applies a resolution other than delivered (`settleDelivered`) to the events `where` selects. Returns whether any was changed. */
async function settle(trx: Kysely<Schema>, where: EventFilter, resolution: Exclude<EventResolution, { status: 'delivered' }>, at: string): Promise<boolean> {
  if (resolution.status === 'pending') {
    return (await backToPending(trx, where, { available_at: resolution.availableAt, last_error: resolution.error, updated_at: at })) > 0;
  }
  return (await update(trx, where, { status: resolution.status, last_error: resolution.error, updated_at: at })) > 0;
}

/** A finished sync event, due again now with a fresh count of attempts. Returns 1 when replayed. */
function replay(trx: Kysely<Schema>, eventId: string, at: string): Promise<number> {
  return backToPending(trx, (eb) => eb.and([eb('id', '=', eventId), eb('status', 'in', FINISHED)]), {
    available_at: at,
    attempts: 0,
    last_error: null,
    claimed_by: null,
    delivered_at: null,
    updated_at: at,
  });
}

async function update(trx: Kysely<Schema>, where: EventFilter, changes: EventChanges): Promise<number> {
  const result = await trx.updateTable('outbox_events').set(changes).where(where).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Puts events back to pending, except a sync event whose conversation already has a pending one
 * (the partial unique index allows one): that one carries it, and this one is superseded.
 *
 * On PostgreSQL a concurrent transaction may have just written that pending event, invisible to
 * this statement until it commits; the unique index then makes this statement wait for it and
 * fail. Run again after it (from a savepoint, so the transaction survives), the statement sees the
 * event and supersedes instead. Returns how many events changed.
 */
async function backToPending(trx: Kysely<Schema>, where: EventFilter, changes: EventChanges): Promise<number> {
  const attempt = () => update(trx, where, { ...changes, status: pendingUnlessSuperseded });
  await sql`savepoint back_to_pending`.execute(trx);
  let updated: number;
  try {
    updated = await attempt();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await sql`rollback to savepoint back_to_pending`.execute(trx);
    updated = await attempt();
  }
  await sql`release savepoint back_to_pending`.execute(trx);
  return updated;
}

function pendingUnlessSuperseded(eb: ExpressionBuilder<Schema, 'outbox_events'>) {
  const anotherPendingSync = eb.exists(
    eb
      .selectFrom('outbox_events as other')
      .select('other.id')
      .whereRef('other.conversation_id', '=', 'outbox_events.conversation_id')
      .where('other.kind', '=', SYNC)
      .where('other.status', '=', PENDING),
  );
  return eb
    .case()
    .when(eb.and([eb('outbox_events.kind', '=', SYNC), anotherPendingSync]))
    .then(SUPERSEDED)
    .else(PENDING)
    .end();
}

/**
 * A dead sync event means Fin may not have the conversation's current state ("not synced with
 * Fin"; a delivered one clears it: `clearNotSynced`). Not a change to the conversation, so
 * `updated_at` stays. Returns whether the flag changed.
 */
async function flagNotSynced(trx: Kysely<Schema>, conversationId: string, at: string): Promise<boolean> {
  const result = await trx.updateTable('conversations').set({ fin_sync_failed_at: at }).where('id', '=', conversationId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// --- rows and cursors --------------------------------------------------------------------------------

function eventFrom(row: EventRow): OutboxEvent {
  return {
    id: row.id,
    kind: row.kind,
    conversationId: row.conversation_id,
    agentId: row.agent_id,
    payload: json<Record<string, unknown>>(row.payload),
    status: row.status,
    attempts: row.attempts,
    coalesced: row.coalesced,
    availableAt: row.available_at,
    expiresAt: row.expires_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
  };
}

function deliveryFrom(row: DeliveryRow): DeliveryAttempt {
  return {
    id: row.id,
    eventId: row.event_id,
    conversationId: row.conversation_id,
    kind: row.kind,
    attempt: row.attempt,
    url: row.url,
    statusCode: row.status_code,
    latencyMs: row.latency_ms,
    responseExcerpt: row.response_excerpt,
    error: row.error,
    outcome: row.outcome,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
  };
}

/** The delivery log's name in its cursors. */
const DELIVERY_LOG = 'deliveries';

/**
 * Where a page of the log ended, in the one cursor codec (domain/helpdesk/cursor.ts). A time
 * PostgreSQL could not read would fail the query instead of the request: refused here.
 */
function decodeDeliveryCursor(cursor: string): { created_at: string; id: string } {
  const position = readCursor(cursor, DELIVERY_LOG, ['created_at', 'id']);
  if (!position || Number.isNaN(Date.parse(position.created_at))) throw new InvalidCursorError();
  return position;
}
