/** Deletes settled notifications (sent, dropped, dead) older than 30 days (docs/decisions.md "Retention"), hourly. */
import type { NotificationOutbox } from '../store/notification-port.js';
import type { Job } from './job.js';

export const NOTIFICATION_RETENTION_MS = 30 * 86_400_000;

export class PruneNotificationsJob implements Job {
  readonly name = 'notify-prune';
  readonly everyMs = 3_600_000;

  constructor(private readonly options: { outbox: Pick<NotificationOutbox, 'prune'> }) {}

  async run(now: Date): Promise<void> {
    await this.options.outbox.prune(new Date(now.getTime() - NOTIFICATION_RETENTION_MS).toISOString());
  }
}
