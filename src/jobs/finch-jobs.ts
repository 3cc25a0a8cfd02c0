/**
 * Finch's scheduled jobs, in one list: a new job is a module beside this one, added here.
 */
import type { FailSafeStore, SettingsStore, UnitOfWork } from '../store/helpdesk-port.js';
import type { OutboxStore } from '../store/outbox-port.js';
import { FailSafeJob } from './fail-safe.js';
import type { Job, JobLogger } from './job.js';
import { PruneDeliveriesJob } from './prune-deliveries.js';

export interface FinchJobStores {
  settings: SettingsStore;
  failSafe: FailSafeStore;
  outbox: OutboxStore;
  /** The unit of work the fail-safe hands conversations over in. */
  store: Pick<UnitOfWork, 'transaction'>;
}

export function finchJobs(
  stores: FinchJobStores,
  options: {
    /** FINCH_FAILSAFE_MINUTES, in ms. */
    failSafeAfterMs: number;
    logger: JobLogger;
    /** The fail-safe wrote sync events: wake this process's dispatcher. */
    onRouted?: () => void;
  },
): Job[] {
  return [
    new FailSafeJob({
      settings: stores.settings,
      failSafe: stores.failSafe,
      store: stores.store,
      afterMs: options.failSafeAfterMs,
      logger: options.logger,
      ...(options.onRouted ? { onRouted: options.onRouted } : {}),
    }),
    new PruneDeliveriesJob({ outbox: stores.outbox }),
  ];
}
