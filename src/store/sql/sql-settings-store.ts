/**
 * Settings over SQL: one row per key in `settings`, its value as JSON. `fin` holds Fin's settings,
 * `fin_delivery` the state of delivery to Fin, which dispatchers in several processes update.
 */
import type { Kysely } from 'kysely';
import { INITIAL_DELIVERY_STATE, NO_FIN_SETTINGS, type DeliveryState, type FinSettings } from '../../domain/fin-settings.js';
import type { SettingsStore } from '../helpdesk-port.js';
import { atomically, type SqlScope } from './database.js';
import { json } from './rows.js';
import type { Schema } from './schema.js';

const FIN = 'fin';
const DELIVERY = 'fin_delivery';

export class SqlSettingsStore implements SettingsStore {
  /** Over the database, or over a write transaction (the unit of work): see database.ts's `SqlScope`. */
  constructor(private readonly scope: SqlScope) {}

  /**
   * Inside a write transaction on PostgreSQL the row is made if missing (the defaults) and stays
   * locked until the transaction ends, so read-change-write takes turns.
   */
  async getFinSettings(): Promise<FinSettings> {
    if (!('notes' in this.scope) || this.scope.dialect !== 'postgres') return readSetting(this.scope.db, FIN, NO_FIN_SETTINGS);
    return lockSetting(this.scope.db, FIN, NO_FIN_SETTINGS, new Date().toISOString());
  }

  putFinSettings(settings: FinSettings, at: string): Promise<void> {
    return writeSetting(this.scope.db, FIN, settings, at);
  }

  getDeliveryState(): Promise<DeliveryState> {
    return readSetting(this.scope.db, DELIVERY, INITIAL_DELIVERY_STATE);
  }

  /**
   * Read, change and write in one write transaction (the enclosing one, over a transaction). On
   * PostgreSQL the row is locked for the duration (after making sure there is one to lock), so
   * concurrent dispatchers take turns instead of overwriting each other's change; SQLite write
   * transactions take turns anyway.
   */
  updateDeliveryState(change: (state: DeliveryState) => DeliveryState, at: string): Promise<DeliveryState> {
    return atomically(this.scope, async (trx) => {
      const current = await lockSetting(trx, DELIVERY, INITIAL_DELIVERY_STATE, at, this.scope.dialect === 'postgres');
      const next = change(current);
      // Most reports change nothing (Fin was already known to be unreachable): no write for those.
      if (JSON.stringify(next) !== JSON.stringify(current)) await writeSetting(trx, DELIVERY, next, at);
      return next;
    });
  }
}

/**
 * The setting, its row made first when missing (the defaults, stamped `at`) so that there is one
 * to lock: on PostgreSQL locked until the transaction ends (`forUpdate`).
 */
export async function lockSetting<T extends object>(trx: Kysely<Schema>, key: string, defaults: T, at: string, forUpdate = true): Promise<T> {
  await trx
    .insertInto('settings')
    .values({ key, value: JSON.stringify(defaults), updated_at: at })
    .onConflict((conflict) => conflict.column('key').doNothing())
    .execute();
  return readSetting(trx, key, defaults, forUpdate);
}

/** The stored value over the defaults, so that a field added later reads as its default. */
export async function readSetting<T extends object>(db: Kysely<Schema>, key: string, defaults: T, forUpdate = false): Promise<T> {
  const query = db.selectFrom('settings').select('value').where('key', '=', key);
  const row = await (forUpdate ? query.forUpdate() : query).executeTakeFirst();
  return row ? { ...defaults, ...json<Partial<T>>(row.value) } : defaults;
}

export async function writeSetting(db: Kysely<Schema>, key: string, value: object, at: string): Promise<void> {
  const text = JSON.stringify(value);
  await db
    .insertInto('settings')
    .values({ key, value: text, updated_at: at })
    .onConflict((conflict) => conflict.column('key').doUpdateSet({ value: text, updated_at: at }))
    .execute();
}
