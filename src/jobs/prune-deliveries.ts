/**
 * Deletes delivery attempts and finished notifications older than `retentionMs` (30 days by
 * default, docs/decisions.md "Retention"), hourly.
 */
import type { OutboxStore } from '../store/outbox-port.js';
import type { Job } from './job.js';

export const DELIVERY_RETENTION_MS = 30 * 86_400_000;

export class PruneDeliveriesJob implements Job {
  readonly name = 'prune-deliveries';
  readonly everyMs = 3_600_000;

  constructor(private readonly options: { outbox: Pick<OutboxStore, 'prune'>; retentionMs?: number }) {}

  async run(now: Date): Promise<void> {
    await this.options.outbox.prune(new Date(now.getTime() - (this.options.retentionMs ?? DELIVERY_RETENTION_MS)).toISOString());
  }
}
