/** Automatic assignment over SQL: the `routing` setting, agents' capacity and turn (migrations/0011_routing.ts). */
import { sql, type Kysely } from 'kysely';
import { DEFAULT_ROUTING, type RoutingSettings } from '../../domain/routing/routing-settings.js';
import type { RoutingAgent, RoutingStore, RoutingWork } from '../routing-port.js';
import type { SqlScope } from './database.js';
import { json } from './rows.js';
import type { Schema } from './schema.js';
import { readSetting, writeSetting } from './sql-settings-store.js';

const ROUTING = 'routing';
/** The PostgreSQL advisory lock routing passes and routing changes take turns on (any fixed number; "finch routing"). */
const ROUTING_LOCK = 0x66696e63_68_72n.toString();

export class SqlRoutingStore implements RoutingStore {
  /** Over the database, or over a write transaction (the unit of work): see database.ts's `SqlScope`. */
  constructor(private readonly scope: SqlScope) {}

  getRoutingSettings(): Promise<RoutingSettings> {
    return readSetting(this.scope.db, ROUTING, DEFAULT_ROUTING);
  }

  async routingWork(now: string): Promise<RoutingWork> {
    const row = await routingWorkQuery(this.scope.db, now).executeTakeFirstOrThrow();
    const stored = row.settings === null || row.settings === undefined ? {} : json<Partial<RoutingSettings>>(row.settings);
    return { settings: { ...DEFAULT_ROUTING, ...stored }, waiting: Boolean(row.waiting), awayWithWork: Boolean(row.away_work) };
  }

  async lockRouting(): Promise<void> {
    if (this.scope.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${sql.lit(ROUTING_LOCK)}::bigint)`.execute(this.scope.db);
  }

  putRoutingSettings(settings: RoutingSettings, at: string): Promise<void> {
    return writeSetting(this.scope.db, ROUTING, settings, at);
  }

  async routingAgents(): Promise<RoutingAgent[]> {
    const rows = await this.scope.db
      .selectFrom('agents as a')
      .select((eb) => [
        'a.id',
        'a.capacity',
        'a.last_routed_at',
        eb
          .selectFrom('conversations as c')
          .select(eb.fn.countAll<number | string>().as('n'))
          .whereRef('c.assignee_id', '=', 'a.id')
          .where('c.status', '=', 'open')
          .as('open'),
      ])
      .where('a.active', '=', 1)
      .where('a.is_fin', '=', 0)
      .orderBy('a.id')
      .execute();
    return rows.map((row) => ({ id: row.id, capacity: row.capacity, open: Number(row.open ?? 0), lastRoutedAt: row.last_routed_at }));
  }

  async waitingConversationIds(limit: number): Promise<string[]> {
    const rows = await this.scope.db
      .selectFrom('conversations')
      .select('id')
      .where('status', '=', 'open')
      .where('assignee_id', 'is', null)
      .orderBy(sql`reply_due_at is null`)
      .orderBy('reply_due_at')
      .orderBy('assigned_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }

  async markRouted(agentId: string, stamp: string): Promise<void> {
    await this.scope.db.updateTable('agents').set({ last_routed_at: stamp }).where('id', '=', agentId).execute();
  }

  async setCapacity(agentId: string, capacity: number | null, at: string): Promise<void> {
    await this.scope.db.updateTable('agents').set({ capacity, updated_at: at }).where('id', '=', agentId).execute();
  }

  async capacities(): Promise<Map<string, number | null>> {
    const rows = await this.scope.db.selectFrom('agents').select(['id', 'capacity']).where('active', '=', 1).where('is_fin', '=', 0).execute();
    return new Map(rows.map((row) => [row.id, row.capacity]));
  }
}

/**
 * `routingWork`'s one statement: the settings row (by key), whether anything waits (the
 * open-by-assignee index, at `assignee_id IS NULL`), and whether an away agent with a live
 * connection holds open work (from the agents, each probing that index): no scan of the
 * conversations, however many there are (test/routing/plans.test.ts).
 */
export function routingWorkQuery(db: Kysely<Schema>, now: string) {
  return db.selectNoFrom((eb) => [
    eb.selectFrom('settings').select('value').where('key', '=', ROUTING).as('settings'),
    eb.exists(eb.selectFrom('conversations').select(sql.lit(1).as('one')).where('status', '=', 'open').where('assignee_id', 'is', null)).as('waiting'),
    // From the agents (a team, not a table of conversations), each probing the open-by-assignee index.
    eb
      .exists(
        eb
          .selectFrom('agents as a')
          .select(sql.lit(1).as('one'))
          .where('a.presence', '=', 'away')
          .where('a.active', '=', 1)
          .where('a.is_fin', '=', 0)
          .where((inner) =>
            inner.and([
              inner.exists(
                inner.selectFrom('agent_connections as k').select(sql.lit(1).as('one')).whereRef('k.agent_id', '=', 'a.id').where('k.expires_at', '>', now),
              ),
              inner.exists(
                inner.selectFrom('conversations as c').select(sql.lit(1).as('one')).whereRef('c.assignee_id', '=', 'a.id').where('c.status', '=', 'open'),
              ),
            ]),
          ),
      )
      .as('away_work'),
  ]);
}
