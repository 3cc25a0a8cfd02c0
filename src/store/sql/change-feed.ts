/**
 * Which conversations changed, for the inbox's live view (the port's `subscribeToChanges`). Every
 * write transaction collects the conversations it changed (`writeTransaction` hands it the set) and
 * they are announced only once it commits, so a subscriber that reads them back sees the change.
 *
 * On PostgreSQL several Finch processes share the database: the transaction NOTIFYs `finch_inbox`
 * (PostgreSQL delivers it at commit, to every process LISTENing, this one included), and each
 * process LISTENs on one connection of its own, opened when first needed (an inbox stream, a
 * dispatcher). On SQLite the ids go straight to this process's subscribers after the commit.
 * Another process may write the same file (a `finch worker` delivering to Fin and running the
 * fail-safe, a CLI command); SQLite cannot say what it changed, only that something was committed
 * (`PRAGMA data_version`, which moves only for other connections' commits), so while anyone
 * subscribes the feed looks twice a second and, when it moved, tells subscribers they may have
 * missed changes: the inbox reads again.
 *
 * The same transaction wakes dispatchers in other processes when it wrote to the outbox: NOTIFY
 * `finch_outbox`, heard on the same one connection (`wakeOnOutboxWrites`). On SQLite dispatchers in
 * other processes find new events at their next poll.
 *
 * Routers hear only of changes that can give routing work (`subscribeRouting`): a conversation
 * created, or its status or assignee written (it may now wait for a person, or have freed someone's
 * capacity). On PostgreSQL NOTIFY `finch_routing`, in the same statement; on SQLite straight to this
 * process's routers. A note, tags, a title, or a reply that leaves the assignee as it was never wake
 * them (a reply that takes the conversation writes its assignee): every change woke every
 * router of every process before, each pass a statement, and that was about a quarter of the CPU a
 * change cost (bench/README.md, "Cost per agent change").
 *
 * Presence and collision signals (who is around, who views or types in a conversation) travel the
 * same way on a channel of their own, `finch_presence` (`announcePresence`, `subscribePresence`).
 *
 * Notification senders hear only of commits that queued notifications (`onNotificationsQueued`),
 * and only in this process, on both databases: a sender elsewhere finds them at its next poll
 * (twice a second). Every change with an outbox event woke the sender before, and each wake was
 * a claim in a write transaction of its own, finding nothing for most changes (bench/README.md,
 * "Cost per agent change").
 */
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { translateError, unavailability } from './errors.js';
import { DEFERRABLE } from './named-statements.js';
import type { Schema } from './schema.js';

export const INBOX_CHANNEL = 'finch_inbox';
export const OUTBOX_CHANNEL = 'finch_outbox';
/** Changes that may give routing work (no payload). */
export const ROUTING_CHANNEL = 'finch_routing';
/** Presence and collision signals (domain/presence/): `team`, or a conversation's id. */
export const PRESENCE_CHANNEL = 'finch_presence';
/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7999;
/** How long to wait before listening again after the connection was lost, doubling up to the cap. */
const RELISTEN_MS = { first: 500, max: 10_000 };
/** How the listening connection shows in `pg_stat_activity`. */
export const LISTENER_APPLICATION_NAME = 'finch change feed';
/** How long connecting the listening connection may take before it counts as failed. */
const CONNECT_TIMEOUT_MS = 10_000;
/** SQLite: how often to look whether another process committed. */
const OTHER_PROCESS_POLL_MS = 500;

/** Where changes come from besides this process: other nodes on PostgreSQL, other processes on one SQLite file. */
export type ChangeSource = { postgresUrl: string } | { sqliteDataVersion: () => number };

export type ChangeListener = (conversationIds: string[]) => void;

interface Subscriber {
  onChange: ChangeListener;
  onMissed: (() => void) | undefined;
}

/** What a committed write said besides the conversations it changed. */
export interface ChangeSignals {
  /** It wrote to the outbox: dispatchers should look. */
  outboxWritten?: boolean;
  /** It created a conversation or wrote a status or an assignee: routers should look. */
  routable?: boolean;
}

/** A router listening for changes that may give it work. */
interface RoutingSubscriber {
  onRoutable: () => void;
  onMissed: () => void;
}

/** A listener to the presence channel: its payloads, split (`team`, conversation ids). */
interface PresenceSubscriber {
  onSignals: (payloads: string[]) => void;
  onMissed: () => void;
}

interface OutboxWaker {
  wake: () => void;
  onTrouble: (error: Error) => void;
}

export class ChangeFeed {
  private readonly subscribers = new Set<Subscriber>();
  private readonly outboxWakers = new Set<OutboxWaker>();
  private readonly presenceSubscribers = new Set<PresenceSubscriber>();
  private readonly routingSubscribers = new Set<RoutingSubscriber>();
  private readonly notificationWakers = new Set<() => void>();
  /** The channels asked for so far: each (re)connection LISTENs to all of them. */
  private readonly channels = new Set<string>();
  private client: pg.Client | undefined;
  /** The channels the current connection LISTENs to (or is starting to). */
  private listening = new Map<string, Promise<void>>();
  /** Why the last connection ended, for the dispatchers' logs. */
  private lastError: Error | undefined;
  private connecting: Promise<void> | undefined;
  private relisten: NodeJS.Timeout | undefined;
  private relistenMs = RELISTEN_MS.first;
  private closed = false;
  private readonly postgresUrl: string | undefined;
  private readonly sqliteDataVersion: (() => number) | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private seenDataVersion: number | undefined;

  constructor(source: ChangeSource) {
    this.postgresUrl = 'postgresUrl' in source ? source.postgresUrl : undefined;
    this.sqliteDataVersion = 'sqliteDataVersion' in source ? source.sqliteDataVersion : undefined;
  }

  /**
   * Inside the transaction that changed them: on PostgreSQL, NOTIFY (held back until the commit,
   * dropped on rollback). Nothing on SQLite, which announces in `committed`.
   */
  async notify(db: Kysely<Schema>, conversationIds: Iterable<string>, signals: ChangeSignals = {}): Promise<void> {
    if (this.postgresUrl === undefined) return;
    // The dispatchers' and routers' wake-ups ride in the same statement as the first payload: one round trip.
    const [first, ...rest] = payloads([...conversationIds]);
    const calls = [
      ...(first === undefined ? [] : [sql`pg_notify(${INBOX_CHANNEL}, ${first})`]),
      ...(signals.outboxWritten ? [sql`pg_notify(${OUTBOX_CHANNEL}, '')`] : []),
      ...(signals.routable ? [sql`pg_notify(${ROUTING_CHANNEL}, '')`] : []),
    ];
    // Nothing reads their answers: in a transaction they go with the next statement, its COMMIT.
    if (calls.length > 0) await sql`select ${sql.join(calls)}${sql.raw(DEFERRABLE)}`.execute(db);
    for (const payload of rest) await sql`select pg_notify(${INBOX_CHANNEL}, ${payload})${sql.raw(DEFERRABLE)}`.execute(db);
  }

  /** After the commit: on SQLite, tells this process's subscribers (and routers, when `routable`). */
  committed(conversationIds: Iterable<string>, routable = false): void {
    if (this.postgresUrl !== undefined) return;
    this.emit([...conversationIds]);
    if (routable) this.tellRouters((subscriber) => subscriber.onRoutable());
  }

  /**
   * Calls `onChange` with the ids of the conversations changed by each committed transaction (in
   * any process on PostgreSQL) until the returned function is called. Resolves once changes are
   * being listened for. `onMissed` is called when changes may have been missed (the PostgreSQL
   * connection was lost and is back; another process wrote the SQLite file): whatever the
   * subscriber shows may be out of date.
   */
  subscribe(onChange: ChangeListener, onMissed?: () => void): Promise<() => Promise<void>> {
    return this.join(INBOX_CHANNEL, this.subscribers, { onChange, onMissed });
  }

  /**
   * Presence signals (`team`, or conversation ids), said after the commit of what they announce:
   * on PostgreSQL a NOTIFY on its own channel (every process hears it), on SQLite straight to this
   * process's presence subscribers.
   */
  async announcePresence(db: Kysely<Schema>, signals: readonly string[]): Promise<void> {
    if (signals.length === 0) return;
    if (this.postgresUrl === undefined) {
      this.tellPresence((subscriber) => subscriber.onSignals([...signals]));
      return;
    }
    for (const payload of payloads([...signals])) await sql`select pg_notify(${PRESENCE_CHANNEL}, ${payload})`.execute(db);
  }

  /**
   * Calls `onSignals` with the presence signals of every process (this one only, on SQLite) until
   * the returned function is called; `onMissed` when some may have been missed (as `subscribe`).
   */
  subscribePresence(onSignals: (signals: string[]) => void, onMissed: () => void): Promise<() => Promise<void>> {
    return this.join(PRESENCE_CHANNEL, this.presenceSubscribers, { onSignals, onMissed });
  }

  /**
   * Calls `onRoutable` after each committed change (in any process on PostgreSQL) that created a
   * conversation or wrote a status or an assignee, until the returned function is called;
   * `onMissed` when some may have been missed (as `subscribe`). Resolves once listening.
   */
  subscribeRouting(onRoutable: () => void, onMissed: () => void): Promise<() => Promise<void>> {
    return this.join(ROUTING_CHANNEL, this.routingSubscribers, { onRoutable, onMissed });
  }

  /**
   * Calls `wake` after each commit in this process that queued notifications, until the returned
   * function is called. Other processes' are not heard of: their senders poll.
   */
  onNotificationsQueued(wake: () => void): () => void {
    const waker = () => wake();
    this.notificationWakers.add(waker);
    return () => void this.notificationWakers.delete(waker);
  }

  /** After a commit (or a write outside a transaction) that queued notifications: tells this process's senders. */
  notificationsQueued(): void {
    tellEach(this.notificationWakers, (wake) => wake());
  }

  /**
   * Adds `subscriber` to `set` once its `channel` is listened to (PostgreSQL) and other processes'
   * commits are watched (SQLite); the returned function takes it out again.
   */
  private async join<S>(channel: string, set: Set<S>, subscriber: S): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('the change feed is closed');
    if (this.postgresUrl !== undefined) {
      try {
        await this.listen(channel);
      } catch (error) {
        // The database is down or restarting: the caller answers 503 and the client tries again.
        throw translateError(error);
      }
    }
    // Before the subscriber is added: should the first reading fail, nothing is left behind.
    this.watchOtherProcesses();
    set.add(subscriber);
    return async () => {
      set.delete(subscriber);
      if (!this.watched()) this.stopWatching();
    };
  }

  /**
   * PostgreSQL: calls `wake` whenever a transaction in any process wrote to the outbox, and after
   * the listening connection came back (notifications may have been missed), until the returned
   * function is called. Resolves once listening, or once the first attempt failed: `onTrouble`
   * hears of that and of every lost connection, and the feed keeps trying (the dispatcher polls
   * meanwhile). Nothing on SQLite.
   */
  async wakeOnOutboxWrites(wake: () => void, onTrouble: (error: Error) => void): Promise<() => Promise<void>> {
    if (this.postgresUrl === undefined || this.closed) return async () => {};
    const waker: OutboxWaker = { wake, onTrouble };
    this.outboxWakers.add(waker);
    try {
      await this.listen(OUTBOX_CHANNEL);
    } catch (error) {
      try {
        onTrouble(translateError(error) as Error);
      } finally {
        this.scheduleRelisten();
      }
    }
    return async () => {
      this.outboxWakers.delete(waker);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscribers.clear();
    this.outboxWakers.clear();
    this.presenceSubscribers.clear();
    this.routingSubscribers.clear();
    this.notificationWakers.clear();
    this.stopWatching();
    clearTimeout(this.relisten);
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private emit(conversationIds: string[]): void {
    if (conversationIds.length > 0) this.tell((subscriber) => subscriber.onChange(conversationIds));
  }

  private tell(call: (subscriber: Subscriber) => void): void {
    tellEach(this.subscribers, call);
  }

  /** As `tell`, for presence subscribers. */
  private tellPresence(call: (subscriber: PresenceSubscriber) => void): void {
    tellEach(this.presenceSubscribers, call);
  }

  /** As `tell`, for routers (which poll anyway). */
  private tellRouters(call: (subscriber: RoutingSubscriber) => void): void {
    tellEach(this.routingSubscribers, call);
  }

  /** Whether any subscriber wants to hear of other processes' commits on SQLite. */
  private watched(): boolean {
    return this.subscribers.size > 0 || this.presenceSubscribers.size > 0 || this.routingSubscribers.size > 0;
  }

  /** Every subscriber may have missed changes: the connection was lost, or another process wrote. */
  private tellMissed(): void {
    this.tell((subscriber) => subscriber.onMissed?.());
    this.tellPresence((subscriber) => subscriber.onMissed());
    this.tellRouters((subscriber) => subscriber.onMissed());
  }

  /** As `tell`, for dispatchers (which poll anyway). */
  private tellDispatchers(call: (waker: OutboxWaker) => void): void {
    tellEach(this.outboxWakers, call);
  }

  /** SQLite: polls the file's data version while anyone subscribes (a cheap read of a counter). */
  private watchOtherProcesses(): void {
    const dataVersion = this.sqliteDataVersion;
    if (dataVersion === undefined || this.watchTimer) return;
    this.seenDataVersion = dataVersion();
    this.watchTimer = setInterval(() => {
      let version: number;
      try {
        version = dataVersion();
      } catch {
        return; // The database is being closed.
      }
      if (version === this.seenDataVersion) return;
      this.seenDataVersion = version;
      this.tellMissed();
    }, OTHER_PROCESS_POLL_MS);
    this.watchTimer.unref();
  }

  private stopWatching(): void {
    clearInterval(this.watchTimer);
    this.watchTimer = undefined;
  }

  /** The LISTEN connection, opened once and shared by every subscriber of this process, now also on `channel`. */
  private async listen(channel: string): Promise<void> {
    this.channels.add(channel);
    await this.connected();
    const client = this.client;
    if (!client) throw new Error('the connection listening for changes was lost');
    // Callers asking at once all wait for the one LISTEN; a failed one is tried again next time.
    let listening = this.listening.get(channel);
    if (!listening) {
      const started = client.query(`LISTEN ${channel}`).then(() => undefined);
      listening = started;
      this.listening.set(channel, started);
      started.catch((error: unknown) => {
        if (this.listening.get(channel) === started) this.listening.delete(channel);
        // Unanswered or broken: pg would keep the connection waiting for the late answer.
        if (unavailability(error) === 'connection' && this.client === client) {
          this.lastError = translateError(error) as Error;
          this.lost(client);
          client.end().catch(() => undefined);
        }
      });
    }
    await listening;
  }

  /** Connects unless connected; connecting LISTENs to every channel asked for so far. */
  private async connected(): Promise<void> {
    if (this.client) return;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    await this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.postgresUrl,
      application_name: LISTENER_APPLICATION_NAME,
      // A connect that hangs must fail (and be retried), and a half-open socket must be noticed:
      // this connection only ever reads, so nothing else would find out that it died.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      // A LISTEN the server or the network leaves unanswered fails instead of holding up the
      // request that subscribed (the connection is then given up, see `listen`).
      query_timeout: CONNECT_TIMEOUT_MS,
    });
    // An error ends the connection, and 'end' follows whatever the cause.
    // Without this listener a lost connection (a restart, pg_terminate_backend) would crash the process.
    client.on('error', (error) => {
      this.lastError = translateError(error) as Error;
    });
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.channel === INBOX_CHANNEL) this.emit((message.payload ?? '').split(',').filter((id) => id !== ''));
      else if (message.channel === OUTBOX_CHANNEL) this.wakeDispatchers();
      else if (message.channel === ROUTING_CHANNEL) this.tellRouters((subscriber) => subscriber.onRoutable());
      else if (message.channel === PRESENCE_CHANNEL) {
        const signals = (message.payload ?? '').split(',').filter((signal) => signal !== '');
        if (signals.length > 0) this.tellPresence((subscriber) => subscriber.onSignals(signals));
      }
    });
    const channels = [...this.channels];
    try {
      await client.connect();
      for (const channel of channels) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      throw new Error('the change feed is closed');
    }
    this.client = client;
    this.listening = new Map(channels.map((channel) => [channel, Promise.resolve()]));
    this.relistenMs = RELISTEN_MS.first;
  }

  private wakeDispatchers(): void {
    this.tellDispatchers((waker) => waker.wake());
  }

  /** Notifications sent while nobody listened are gone: listen again, then say so. */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.listening = new Map();
    const error = this.lastError ?? new Error('the connection listening for changes ended');
    this.lastError = undefined;
    if (!this.closed) this.tellDispatchers((waker) => waker.onTrouble(error));
    this.scheduleRelisten();
  }

  private scheduleRelisten(): void {
    if (!this.needed() || this.relisten) return;
    this.relisten = setTimeout(() => {
      this.relisten = undefined;
      // Everyone may have gone meanwhile: then the next subscriber connects.
      if (!this.needed()) return;
      this.connected().then(
        () => {
          this.tellMissed();
          this.wakeDispatchers();
        },
        (error: Error) => {
          this.tellDispatchers((waker) => waker.onTrouble(translateError(error) as Error));
          this.relistenMs = Math.min(this.relistenMs * 2, RELISTEN_MS.max);
          this.scheduleRelisten();
        },
      );
    }, this.relistenMs);
    this.relisten.unref();
  }

  /** Whether anyone in this process still listens. */
  private needed(): boolean {
    return !this.closed && (this.watched() || this.outboxWakers.size > 0);
  }
}

/** Calls `call` for each subscriber; one that throws does not stop the others, nor the feed. */
function tellEach<S>(subscribers: Iterable<S>, call: (subscriber: S) => void): void {
  for (const subscriber of subscribers) {
    try {
      call(subscriber);
    } catch {
      // One subscriber's failure is its own; the others still hear of the change.
    }
  }
}

/** Comma-joined ids (or signals), as few payloads as fit under PostgreSQL's limit. */
function payloads(conversationIds: string[]): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const id of conversationIds) {
    const next = current === '' ? id : `${current},${id}`;
    if (Buffer.byteLength(next) > MAX_PAYLOAD_BYTES && current !== '') {
      chunks.push(current);
      current = id;
    } else {
      current = next;
    }
  }
  if (current !== '') chunks.push(current);
  return chunks;
}
