/**
 * Opening Finch's data: the database (migrated to the latest schema), the stores over it, and the
 * Fin agent, which must exist before Fin's first call. The server, `finch worker` and every CLI
 * command start here, so they all see the same data the same way.
 */
import { sql } from 'kysely';
import type { Config } from './config.js';
import type { HelpdeskContext } from './domain/helpdesk/context.js';
import type { ActivityEvent } from './domain/activity/activity.js';
import { recordActivity } from './domain/activity/record-activity.js';
import { postToChat } from './notifications/chat-poster.js';
import type { HelpdeskTransaction } from './store/helpdesk-port.js';
import type { FinStoreWriter } from './store/port.js';
import { openDatabase, probeWrite, type Database } from './store/sql/database.js';
import { DatabaseUnavailableError } from './store/port.js';
import { migrateToLatest } from './store/sql/migrations/index.js';
import { SqlAccountStore } from './store/sql/sql-account-store.js';
import { SqlCredentialStore } from './store/sql/sql-credential-store.js';
import { SqlFailSafe } from './store/sql/sql-fail-safe.js';
import { SqlFinStore } from './store/sql/sql-fin-store.js';
import { SqlOutboxStore } from './store/sql/sql-outbox-store.js';
import { SqlSettingsStore } from './store/sql/sql-settings-store.js';
import { SqlCannedReplyStore } from './store/sql/sql-canned-reply-store.js';
import { SqlFileStore } from './store/sql/sql-file-store.js';
import { SqlActivityStore } from './store/sql/sql-activity-store.js';
import { SqlNotificationStore } from './store/sql/sql-notification-store.js';
import { SqlPresenceStore } from './store/sql/sql-presence-store.js';
import { SqlRoutingStore } from './store/sql/sql-routing-store.js';
import { SqlSlaStore } from './store/sql/sql-sla-store.js';
import { requireSupportedPostgres } from './store/sql/postgres-release.js';

export interface Finch {
  database: Database;
  store: SqlFinStore;
  credentials: SqlCredentialStore;
  accounts: SqlAccountStore;
  outbox: SqlOutboxStore;
  settings: SqlSettingsStore;
  failSafe: SqlFailSafe;
  cannedReplies: SqlCannedReplyStore;
  files: SqlFileStore;
  activity: SqlActivityStore;
  presence: SqlPresenceStore;
  routing: SqlRoutingStore;
  sla: SqlSlaStore;
  notifications: SqlNotificationStore;
  /**
   * Resolves when the database serves reads and takes writes; throws `DatabaseUnavailableError`
   * otherwise (see `ping`). Used by /health.
   */
  ping: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * The database is healthy when `select 1` answers and, should a write have been refused for
 * storage reasons (full disk, read-only, I/O error), when a probe write now commits (which then
 * forgets the refusal). Reads alone would call a full disk healthy; the probe, rather than waiting for the
 * next real write, lets /health turn healthy again when space returns even if no traffic comes
 * (a load balancer sends none to a node whose /health fails).
 */
async function ping(database: Database): Promise<void> {
  await sql`select 1`.execute(database.db);
  const failure = database.health.lastFailure;
  if (failure === undefined) return;
  try {
    await probeWrite(database);
  } catch (error) {
    throw error instanceof DatabaseUnavailableError ? error : failure;
  }
  // Only the probe says writes are back: an ordinary commit may have written nothing (a
  // transaction that changed no row commits on a full disk too), and /health would flap.
  database.health.committed();
}

/**
 * `openFinch`, waiting while the database is unavailable (not yet started, restarting, full)
 * instead of failing: for long-running processes (`finch worker`), which a service manager may
 * start before the database. `onWait` hears of each failed attempt; tries double from 0.5 s to 10 s.
 */
export async function openFinchWhenAvailable(config: DatabaseConfig, onWait: (error: DatabaseUnavailableError, retryInMs: number) => void): Promise<Finch> {
  for (let delayMs = 500; ; delayMs = Math.min(delayMs * 2, 10_000)) {
    try {
      return await openFinch(config);
    } catch (error) {
      if (!(error instanceof DatabaseUnavailableError)) throw error;
      onWait(error, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** Where the data is; `dbQueryTimeoutSeconds` defaults to 10. */
export type DatabaseConfig = Pick<Config, 'databaseUrl' | 'dataDir' | 'dbPoolSize'> & Partial<Pick<Config, 'dbQueryTimeoutSeconds'>>;

export async function openFinch(config: DatabaseConfig): Promise<Finch> {
  const database = openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.dbPoolSize,
    queryTimeoutSeconds: config.dbQueryTimeoutSeconds,
  });
  try {
    if (database.dialect === 'postgres') await migratePostgres(config);
    else await migrateToLatest(database.db, database.dialect);
    const store = new SqlFinStore(database);
    await store.ensureFinAgent(new Date().toISOString());
    return {
      database,
      store,
      credentials: new SqlCredentialStore(database),
      accounts: new SqlAccountStore(database),
      outbox: new SqlOutboxStore(database),
      settings: new SqlSettingsStore(database),
      failSafe: new SqlFailSafe(database),
      cannedReplies: new SqlCannedReplyStore(database),
      files: new SqlFileStore(database),
      activity: new SqlActivityStore(database),
      presence: new SqlPresenceStore(database),
      routing: new SqlRoutingStore(database),
      sla: new SqlSlaStore(database),
      notifications: new SqlNotificationStore(database),
      ping: () => ping(database),
      close: () => database.close(),
    };
  } catch (error) {
    await database.close();
    // Migrating wraps what went wrong; a database that is down is that, not a failed migration.
    throw unavailableCause(error) ?? error;
  }
}

/**
 * Brings PostgreSQL's schema to the latest version, on connections of their own without
 * the statement timeouts (FINCH_DB_QUERY_TIMEOUT), which would cut a long migration (an index on
 * a big table) and leave the node unable to start; it is closed before the node serves.
 */
async function migratePostgres(config: DatabaseConfig): Promise<void> {
  const database = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolSize: 2, queryTimeoutSeconds: 0 });
  try {
    await requireSupportedPostgres(database.db);
    await migrateToLatest(database.db, database.dialect);
  } finally {
    await database.close();
  }
}

function unavailableCause(error: unknown): DatabaseUnavailableError | undefined {
  for (let at = error, depth = 0; at instanceof Error && depth < 5; at = at.cause, depth++) {
    if (at instanceof DatabaseUnavailableError) return at;
  }
  return undefined;
}

/** What the agent API's use cases run against. `outboxWritten` wakes the local dispatcher. */
export function helpdeskContext(
  finch: Finch,
  config: Pick<Config, 'fin' | 'publicUrl' | 'attachmentUrlTtlSeconds'>,
  hooks: { now?: () => Date; outboxWritten?: () => void; settingsChanged?: () => void; routingNeeded?: () => void } = {},
): HelpdeskContext {
  return {
    transaction: (work) => finch.store.transaction(work),
    conversations: finch.store,
    accounts: finch.accounts,
    access: finch.credentials,
    fin: { settings: finch.settings, overrides: config.fin, deliveries: finch.outbox, settingsChanged: hooks.settingsChanged ?? (() => undefined) },
    files: { store: finch.files, publicUrl: config.publicUrl, urlTtlSeconds: config.attachmentUrlTtlSeconds },
    cannedReplies: finch.cannedReplies,
    activity: finch.activity,
    presence: finch.presence,
    routing: { store: finch.routing, wake: hooks.routingNeeded ?? (() => undefined) },
    sla: finch.sla,
    notifications: finch.notifications,
    chat: { post: postToChat },
    now: hooks.now ?? (() => new Date()),
    outboxWritten: hooks.outboxWritten ?? (() => undefined),
  };
}

/**
 * The Fin API's activity recorder over Finch's SQL store. Its transactions are the helpdesk's unit
 * of work (`SqlFinStore.transaction` hands a `HelpdeskTransaction` to Fin's use cases too), so what
 * Fin's requests do is recorded with everything it means (SLA clock, notifications) like an agent's.
 */
export function recordFinActivity(tx: FinStoreWriter, events: readonly ActivityEvent[]): Promise<void> {
  return recordActivity(tx as HelpdeskTransaction, events);
}
