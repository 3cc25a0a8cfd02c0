/** Business hours and SLA targets over SQL: the `sla` setting. */
import { DEFAULT_SLA, type SlaSettings } from '../../domain/sla/sla-settings.js';
import type { SlaStore } from '../sla-port.js';
import type { SqlScope } from './database.js';
import { readSetting } from './sql-settings-store.js';

const SLA = 'sla';

export class SqlSlaStore implements SlaStore {
  /** Over the database, or over a write transaction (the unit of work): see database.ts's `SqlScope`. */
  constructor(private readonly scope: SqlScope) {}

  getSlaSettings(): Promise<SlaSettings> {
    return readSetting(this.scope.db, SLA, DEFAULT_SLA);
  }
}
