/**
 * Tells the team's chat when a hand-over has waited too long (Admin → Chat notifications: longer
 * than `waitingMinutes` with nobody assigned, issue 12 item 4). Every 30 s it queues one chat
 * notification per conversation and hand-over (`waiting:<id>:<handed over at>`: a conversation
 * handed over again later is a new wait); the queue's uniqueness keeps a second run, or a second
 * node, from queueing it twice. The sender drops it if someone took the conversation meanwhile.
 */
import { CHAT_RECIPIENT } from '../domain/notifications/chat-webhook.js';
import type { NotificationOutbox } from '../store/notification-port.js';
import type { Job, JobOutcome } from './job.js';

/** The most waits one run queues (the oldest first); the next run takes the rest. */
const BATCH = 500;

export class NotifyWaitingJob implements Job {
  readonly name = 'notify-waiting';
  readonly everyMs: number;

  constructor(private readonly options: { outbox: Pick<NotificationOutbox, 'chatWebhook' | 'longWaiting' | 'enqueue'>; everyMs?: number }) {
    this.everyMs = options.everyMs ?? 30_000;
  }

  async run(now: Date): Promise<JobOutcome> {
    const settings = await this.options.outbox.chatWebhook();
    if (!settings.url || settings.waitingMinutes <= 0) return { queued: 0 };
    const minutes = settings.waitingMinutes;
    const waits = await this.options.outbox.longWaiting(new Date(now.getTime() - minutes * 60_000).toISOString(), BATCH);
    const at = now.toISOString();
    await this.options.outbox.enqueue(
      waits.map((wait) => ({
        channel: 'chat' as const,
        event: 'waiting',
        eventKey: `waiting:${wait.id}:${wait.handedOverAt}`,
        conversationId: wait.id,
        agentId: null,
        recipient: CHAT_RECIPIENT,
        payload: { handedOverAt: wait.handedOverAt, minutes },
        availableAt: at,
        at,
      })),
    );
    return { waiting: waits.length };
  }
}
