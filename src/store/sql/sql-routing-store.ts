/** Automatic assignment over SQL: the `routing` setting, agents' capacity (migrations/0011_routing.ts). */
import { DEFAULT_ROUTING, type RoutingSettings } from '../../domain/routing/routing-settings.js';
import type { RoutingStore } from '../routing-port.js';
import type { SqlScope } from './database.js';
import { readSetting } from './sql-settings-store.js';

const ROUTING = 'routing';

export class SqlRoutingStore implements RoutingStore {
  /** Over the database, or over a write transaction (the unit of work): see database.ts's `SqlScope`. */
  constructor(private readonly scope: SqlScope) {}

  getRoutingSettings(): Promise<RoutingSettings> {
    return readSetting(this.scope.db, ROUTING, DEFAULT_ROUTING);
  }
}
