/** Presence over SQL: `agents.presence` and `agent_connections` (migrations/0010_presence.ts). */
import type { PresenceStatus } from '../../domain/presence/presence.js';
import type { PresenceStore } from '../presence-port.js';
import type { SqlScope } from './database.js';

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
}
