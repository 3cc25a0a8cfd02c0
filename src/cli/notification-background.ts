/**
 * Notifications' background work: the sender loop (src/notifications/), the chat webhook's
 * long-wait job and the pruning of settled notifications. On start it records whether this
 * process can send email (FINCH_SMTP_URL), which the inbox shows and which decides whether email
 * is queued at all; without it, it says once in the log that email is off.
 */
import os from 'node:os';
import { NotifyWaitingJob } from '../jobs/notify-waiting.js';
import { PruneNotificationsJob } from '../jobs/notify-prune.js';
import { smtpMailer } from '../notifications/mailer.js';
import { NotificationSender } from '../notifications/sender.js';
import type { Background, BackgroundDeps } from './background.js';

export function notificationBackground({ finch, config, logger, clock }: BackgroundDeps): Background {
  const mailer = config.smtp ? smtpMailer(config.smtp) : undefined;
  const sender = new NotificationSender({
    outbox: finch.notifications,
    presence: finch.presence,
    mailer,
    smtpUrl: config.smtp?.url,
    publicUrl: config.publicUrl,
    ...(config.fin.allowedNetworks ? { allowedNetworks: config.fin.allowedNetworks } : {}),
    clock,
    logger,
    worker: `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
  });
  let stopWaking = () => {};
  return {
    jobs: [new NotifyWaitingJob({ outbox: finch.notifications }), new PruneNotificationsJob({ outbox: finch.notifications })],
    start() {
      if (!config.smtp) logger.info({}, 'email notifications are off: FINCH_SMTP_URL is not set');
      finch.notifications
        .reportChannels({ email: mailer !== undefined }, clock.now().toISOString())
        .catch((error: Error) => logger.warn({ error: error.message }, 'could not record whether email notifications are on'));
      // Woken by commits that queued notifications here (not by every change); other processes' by the poll.
      stopWaking = finch.notifications.onQueued(() => sender.wake());
      sender.start();
    },
    wake: () => sender.wake(),
    stop: async () => {
      stopWaking();
      await sender.stop();
      mailer?.close();
    },
  };
}
