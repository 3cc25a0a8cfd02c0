/** Settings over SQL: defaults, round trips, and delivery state changes that several processes make at once. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INITIAL_DELIVERY_STATE, NO_FIN_SETTINGS, type DeliveryState, type FinSettings } from '../../src/domain/fin-settings.js';
import { SqlSettingsStore } from '../../src/store/sql/sql-settings-store.js';
import { sqlBackends } from '../support/finch.js';
import { at, openTestData, type TestData } from './support.js';

describe.each(sqlBackends())('SQL settings on %s', (backend) => {
  let data: TestData;
  let settings: SqlSettingsStore;

  beforeEach(async () => {
    data = await openTestData(backend);
    settings = new SqlSettingsStore(data.database);
  });
  afterEach(() => data.close());

  const storedRow = (key: string) => data.database.db.selectFrom('settings').select('updated_at').where('key', '=', key).executeTakeFirst();

  it('reads the defaults while nothing is stored', async () => {
    expect(await settings.getFinSettings()).toEqual(NO_FIN_SETTINGS);
    expect(await settings.getDeliveryState()).toEqual(INITIAL_DELIVERY_STATE);
  });

  it('keeps Fin settings, the last ones written', async () => {
    const first: FinSettings = { integrationId: 'int_1', webhookKey: 'key-1', region: 'eu', baseUrl: null };
    const second: FinSettings = { integrationId: 'int_2', webhookKey: 'key-2', region: null, baseUrl: 'http://127.0.0.1:9999' };
    await settings.putFinSettings(first, at(0));
    expect(await settings.getFinSettings()).toEqual(first);
    await settings.putFinSettings(second, at(1));
    expect(await settings.getFinSettings()).toEqual(second);
    expect(await storedRow('fin')).toEqual({ updated_at: at(1) });
    // The two keys do not mix.
    expect(await settings.getDeliveryState()).toEqual(INITIAL_DELIVERY_STATE);
  });

  it('reads fields missing from a stored value as their defaults', async () => {
    await data.database.db
      .insertInto('settings')
      .values({ key: 'fin', value: JSON.stringify({ integrationId: 'int_1' }), updated_at: at(0) })
      .execute();
    expect(await settings.getFinSettings()).toEqual({ ...NO_FIN_SETTINGS, integrationId: 'int_1' });
  });

  it('applies a change to the delivery state and returns the new state', async () => {
    const unreachable = (state: DeliveryState) => (state.unreachableSince ? state : { ...state, unreachableSince: at(5) });
    expect(await settings.updateDeliveryState(unreachable, at(5))).toEqual({ ...INITIAL_DELIVERY_STATE, unreachableSince: at(5) });
    expect(await settings.getDeliveryState()).toEqual({ ...INITIAL_DELIVERY_STATE, unreachableSince: at(5) });

    // A change that changes nothing writes nothing.
    expect(await settings.updateDeliveryState(unreachable, at(9))).toEqual({ ...INITIAL_DELIVERY_STATE, unreachableSince: at(5) });
    expect(await storedRow('fin_delivery')).toEqual({ updated_at: at(5) });
  });

  it('applies every one of many changes made at once from several pools', async () => {
    const pools = data.pools(2).map((pool) => new SqlSettingsStore(pool));
    const tally = (state: DeliveryState) => ({ ...state, disabledReason: `${state.disabledReason ?? ''}x` });
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => pools[index % pools.length]!.updateDeliveryState(tally, at(index))));

    expect((await settings.getDeliveryState()).disabledReason).toBe('x'.repeat(20));
    // Each change saw the one before it: every count from 1 to 20 was returned once.
    expect(results.map((state) => state.disabledReason!.length).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
  });
});
