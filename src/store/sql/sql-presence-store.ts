/** Presence over SQL: `agents.presence` and `agent_connections` (migrations/0010_presence.ts). */
import type {
  AgentPresence,
  ChosenPresence,
  ConversationWatcher,
  PresenceSettings,
  PresenceSignal,
  PresenceStatus,
  TeamMemberStatus,
} from '../../domain/presence/presence.js';
import { DEFAULT_PRESENCE_SETTINGS } from '../../domain/presence/presence.js';
import type { EndedConnection, NewConnection, PresenceStore } from '../presence-port.js';
import type { SqlScope } from './database.js';
import { readSetting, writeSetting } from './sql-settings-store.js';

const PRESENCE_SETTINGS = 'presence';
const TEAM = 'team';

export class SqlPresenceStore implements PresenceStore {
  /** Over the database, or over a write transaction (the unit of work): see database.ts's `SqlScope`. */
  constructor(private readonly scope: SqlScope) {}

  async presenceOf(now: string): Promise<Map<string, PresenceStatus>> {
    const rows = await this.scope.db
      .selectFrom('agents as a')
      .leftJoin('agent_connections as c', (join) => join.onRef('c.agent_id', '=', 'a.id').on('c.expires_at', '>', now))
      .select(['a.id', 'a.presence', (eb) => eb.fn.count<number | string>('c.id').as('connections')])
      .where('a.is_fin', '=', 0)
      .where('a.active', '=', 1)
      .groupBy(['a.id', 'a.presence'])
      .execute();
    return new Map(rows.map((row) => [row.id, Number(row.connections) === 0 ? 'offline' : row.presence]));
  }

  async presenceOfAgent(agentId: string, now: string): Promise<AgentPresence | undefined> {
    const row = await this.scope.db
      .selectFrom('agents as a')
      .select([
        'a.presence',
        'a.presence_automatic',
        (eb) =>
          eb
            .selectFrom('agent_connections as c')
            .select((inner) => inner.fn.countAll<number | string>().as('n'))
            .whereRef('c.agent_id', '=', 'a.id')
            .where('c.expires_at', '>', now)
            .as('connections'),
      ])
      .where('a.id', '=', agentId)
      .executeTakeFirst();
    if (!row) return undefined;
    return { status: Number(row.connections ?? 0) === 0 ? 'offline' : row.presence, chosen: row.presence, automatic: Boolean(row.presence_automatic) };
  }

  async teamStatus(now: string): Promise<Map<string, TeamMemberStatus>> {
    const presence = await this.presenceOf(now);
    const rows = await this.scope.db
      .selectFrom('agents as a')
      .select([
        'a.id',
        'a.capacity',
        (eb) =>
          eb
            .selectFrom('conversations as v')
            .select((inner) => inner.fn.countAll<number | string>().as('n'))
            .whereRef('v.assignee_id', '=', 'a.id')
            .where('v.status', '=', 'open')
            .as('open_conversations'),
      ])
      .execute();
    return new Map(
      rows.map((row) => [
        row.id,
        { presence: presence.get(row.id) ?? 'offline', openConversations: Number(row.open_conversations ?? 0), capacity: row.capacity },
      ]),
    );
  }

  async writeChosen(agentId: string, chosen: ChosenPresence, automatic: boolean, at: string): Promise<void> {
    await this.scope.db
      .updateTable('agents')
      .set({ presence: chosen, presence_automatic: automatic ? 1 : 0, presence_changed_at: at })
      .where('id', '=', agentId)
      .execute();
  }

  async liveConnections(agentId: string, now: string): Promise<number> {
    const row = await this.scope.db
      .selectFrom('agent_connections')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('agent_id', '=', agentId)
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async openConnection(connection: NewConnection): Promise<void> {
    await this.scope.db
      .insertInto('agent_connections')
      .values({
        id: connection.id,
        agent_id: connection.agentId,
        node: connection.node,
        opened_at: connection.at,
        seen_at: connection.at,
        expires_at: connection.expiresAt,
        viewing: null,
        typing_at: null,
      })
      .execute();
  }

  async renewConnections(ids: readonly string[], seenAt: string, expiresAt: string): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.scope.db
      .updateTable('agent_connections')
      .set({ seen_at: seenAt, expires_at: expiresAt })
      .where('id', 'in', [...ids])
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  async closeConnections(ids: readonly string[]): Promise<EndedConnection[]> {
    if (ids.length === 0) return [];
    const rows = await this.scope.db
      .deleteFrom('agent_connections')
      .where('id', 'in', [...ids])
      .returning(['agent_id', 'viewing'])
      .execute();
    return rows.map((row) => ({ agentId: row.agent_id, viewing: row.viewing }));
  }

  async endExpiredConnections(now: string): Promise<EndedConnection[]> {
    const rows = await this.scope.db.deleteFrom('agent_connections').where('expires_at', '<=', now).returning(['agent_id', 'viewing']).execute();
    return rows.map((row) => ({ agentId: row.agent_id, viewing: row.viewing }));
  }

  async setViewing(connectionId: string, agentId: string, conversationId: string | null, now: string): Promise<{ previous: string | null } | undefined> {
    const current = await this.scope.db
      .selectFrom('agent_connections')
      .select('viewing')
      .where('id', '=', connectionId)
      .where('agent_id', '=', agentId)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (!current) return undefined;
    if (current.viewing !== conversationId) {
      await this.scope.db.updateTable('agent_connections').set({ viewing: conversationId, typing_at: null }).where('id', '=', connectionId).execute();
    }
    return { previous: current.viewing };
  }

  async markTyping(agentId: string, conversationId: string, at: string): Promise<number> {
    const result = await this.scope.db
      .updateTable('agent_connections')
      .set({ typing_at: at })
      .where('agent_id', '=', agentId)
      .where('viewing', '=', conversationId)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async watchersOf(conversationId: string, now: string): Promise<ConversationWatcher[]> {
    const rows = await this.scope.db
      .selectFrom('agent_connections as c')
      .innerJoin('agents as a', 'a.id', 'c.agent_id')
      .select(['c.id', 'c.agent_id', 'a.name', 'c.typing_at'])
      .where('c.viewing', '=', conversationId)
      .where('c.expires_at', '>', now)
      .where('a.active', '=', 1)
      .orderBy('c.opened_at')
      .orderBy('c.id')
      .execute();
    return rows.map((row) => ({ connectionId: row.id, agentId: row.agent_id, name: row.name, typingAt: row.typing_at }));
  }

  getPresenceSettings(): Promise<PresenceSettings> {
    return readSetting(this.scope.db, PRESENCE_SETTINGS, DEFAULT_PRESENCE_SETTINGS);
  }

  putPresenceSettings(settings: PresenceSettings, at: string): Promise<void> {
    return writeSetting(this.scope.db, PRESENCE_SETTINGS, settings, at);
  }

  async announce(signals: readonly PresenceSignal[]): Promise<void> {
    if (!('changes' in this.scope)) throw new Error('presence is announced after the commit, over the database');
    const payloads = [...new Set(signals.map((signal) => ('team' in signal ? TEAM : signal.conversationId)))];
    await this.scope.changes.announcePresence(this.scope.db, payloads);
  }

  subscribe(onSignals: (signals: PresenceSignal[]) => void, onMissed: () => void): Promise<() => Promise<void>> {
    if (!('changes' in this.scope)) throw new Error('presence is followed over the database');
    return this.scope.changes.subscribePresence(
      (payloads) => onSignals(payloads.map((payload) => (payload === TEAM ? { team: true } : { conversationId: payload }))),
      onMissed,
    );
  }
}
