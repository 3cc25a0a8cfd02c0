import type { ActivityEvent } from './activity/activity.js';
import type { FinStore, FinStoreWriter } from '../store/port.js';

/** What every Fin use case runs against: the store, and a clock tests can set. */
export interface FinContext {
  store: FinStore;
  now: () => Date;
  /**
   * Records what Fin's request did to conversations (domain/activity/), in its transaction. Finch's
   * own helpdesk sets it (`recordFinActivity`, finch.ts); a store that keeps no activity (the
   * memory store, an integrator's) leaves it out and nothing is recorded.
   */
  recordActivity?: ((tx: FinStoreWriter, events: readonly ActivityEvent[]) => Promise<void>) | undefined;
}

export const timestamp = (ctx: FinContext): string => ctx.now().toISOString();
