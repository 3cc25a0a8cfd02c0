import type { FinStore } from '../store/port.js';

/** What every Fin use case runs against: the store, and a clock tests can set. */
export interface FinContext {
  store: FinStore;
  now: () => Date;
}

export const timestamp = (ctx: FinContext): string => ctx.now().toISOString();
