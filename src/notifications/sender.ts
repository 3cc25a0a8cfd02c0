/**
 * Sends the notifications queued in `notifications` (domain/notifications/): email over SMTP and
 * posts to the team's chat webhook. Runs in the server (unless FINCH_DISPATCHER=off) and in
 * `finch worker`; on PostgreSQL any number of senders share the work, each row going to one.
 *
 * A cycle claims what is due with a lease (a sender that dies mid-send loses nothing: the lease
 * runs out and the row is due again; at-least-once, and a resent email keeps its Message-ID), then
 * judges each row against the present: a hand-over that is no longer waiting, a conversation that
 * is no longer the agent's, an event the agent has since set to `never`, a `when_away` choice of an
 * agent who is online now: dropped. What is
 * left goes as one email per recipient (a grouped burst) or one post per chat event. A failure is
 * retried with backoff, dead after MAX_ATTEMPTS; every outcome is stored and logged, without the
 * SMTP credentials or the webhook URL.
 */
import type { DispatcherLogger } from '../outbox/dispatcher.js';
import type { Clock } from '../outbox/clock.js';
import type { PresenceStore } from '../store/presence-port.js';
import type { ConversationGlance, NotificationChannel, NotificationOutbox, NotificationRecord, SettleOutcome } from '../store/notification-port.js';
import { OutageLog } from '../lib/outage-log.js';
import { WakeableLoop } from '../lib/wakeable-loop.js';
import { DatabaseUnavailableError } from '../store/port.js';
import { maskUrl } from '../domain/notifications/chat-webhook.js';
import type { EmailChoice, EmailEvent } from '../domain/notifications/preferences.js';
import { chatText } from './chat-text.js';
import { postToChat } from './chat-poster.js';
import { emailMessage } from './email-message.js';
import { scrubbed, type Mailer } from './mailer.js';

/** After the n-th failed attempt, the next waits RETRY_DELAYS_MS[n-1] (the last one repeats), ±20 %. */
export const RETRY_DELAYS_MS = [10_000, 60_000, 300_000, 900_000, 3_600_000, 10_800_000] as const;
/** Attempts before a notification is dead (about 8 hours of trying). */
export const MAX_ATTEMPTS = 8;

export interface NotificationSenderOptions {
  outbox: NotificationOutbox;
  presence: Pick<PresenceStore, 'presenceOf'>;
  /** Absent: email is off (FINCH_SMTP_URL unset); only chat posts are claimed. */
  mailer: Mailer | undefined;
  /** For scrubbing errors. */
  smtpUrl?: string | undefined;
  /** FINCH_PUBLIC_URL: links to conversations. */
  publicUrl: string;
  /** Networks beyond the public ones the chat webhook may reach (FINCH_FIN_ALLOWED_NETWORKS). */
  allowedNetworks?: readonly string[];
  clock: Clock;
  logger: DispatcherLogger;
  /** Names this sender in claims. */
  worker: string;
  /** Wait between cycles when nothing was due. Default 500 ms. */
  pollMs?: number;
  batchSize?: number;
  /** Per email or post. Default 15 s. */
  timeoutMs?: number;
  random?: () => number;
}

export class NotificationSender extends WakeableLoop {
  /** Failed cycles: a database outage said once when it starts and once when it ends. */
  private readonly outage: OutageLog;

  constructor(private readonly options: NotificationSenderOptions) {
    super((ms, signal) => options.clock.sleep(ms, signal));
    this.outage = new OutageLog(
      options.logger,
      {
        failed: 'notification cycle failed',
        down: 'the database is unavailable: notifications wait',
        back: 'the database is available again: sending notifications',
      },
      (error): error is DatabaseUnavailableError => error instanceof DatabaseUnavailableError,
    );
  }

  get channels(): NotificationChannel[] {
    return this.options.mailer ? ['email', 'chat'] : ['chat'];
  }

  protected async run(): Promise<void> {
    while (!this.stopping) {
      let claimed = 0;
      let failed = false;
      try {
        claimed = await this.runOnce();
        this.outage.succeeded();
      } catch (error) {
        this.outage.failed(error);
        failed = true;
      }
      if (claimed < (this.options.batchSize ?? 50) && !this.stopping) await this.waitForWork(failed);
    }
  }

  /** After a failed cycle, a whole poll interval: a due row that cannot be sent must not spin the loop. */
  private waitForWork(failed: boolean): Promise<void> {
    return this.idleFor(
      async () => {
        // Until the next poll, or sooner when a queued notification falls due (a hand-over's hold ends).
        const next = failed ? null : await this.options.outbox.nextDue(this.channels).catch(() => null);
        const untilDue = next === null ? Number.POSITIVE_INFINITY : Date.parse(next) - this.options.clock.now().getTime();
        // At least a few ms: a row due but held for a moment by another sender's claim is not polled in a tight loop.
        return Math.max(5, Math.min(this.options.pollMs ?? 500, untilDue));
      },
      { ignoreWake: failed },
    );
  }

  /** One cycle: claim what is due, judge it, send it, settle it. Returns how many rows were claimed. */
  async runOnce(): Promise<number> {
    const { outbox, clock, worker } = this.options;
    const now = clock.now();
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    const rows = await outbox.claim(
      worker,
      now.toISOString(),
      new Date(now.getTime() + timeoutMs * 2 + 20_000).toISOString(),
      this.options.batchSize ?? 50,
      this.channels,
    );
    if (rows.length === 0) return 0;
    const glances = await outbox.glance([...new Set(rows.flatMap((row) => (row.conversationId ? [row.conversationId] : [])))]);
    const emailing = rows.some((row) => row.channel === 'email');
    const presence = emailing ? await this.options.presence.presenceOf(now.toISOString()) : new Map<string, string>();
    // The choices as they are now: an agent who switched an event to `never` meanwhile gets no email for it.
    const choices = new Map(emailing ? (await outbox.emailRecipients()).map((recipient) => [recipient.agentId, recipient.prefs] as const) : []);

    const groups = new Map<string, NotificationRecord[]>();
    for (const row of rows) {
      const reason = droppedBecause(row, glances.get(row.conversationId ?? ''), presence, choices.get(row.agentId ?? '')?.email[row.event as EmailEvent]);
      if (reason) {
        await this.settle([row], { status: 'dropped', reason });
        continue;
      }
      const key = row.channel === 'email' ? `email:${row.recipient}` : `chat:${row.id}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    await Promise.all([...groups.values()].map((group) => this.send(group, glances)));
    return rows.length;
  }

  private async send(group: NotificationRecord[], glances: ReadonlyMap<string, ConversationGlance>): Promise<void> {
    const first = group[0]!;
    let error: string | null;
    try {
      error = first.channel === 'email' ? await this.sendEmail(group, glances) : await this.post(first, glances);
    } catch (caught) {
      error = scrubbed(caught instanceof Error ? caught.message : String(caught), this.options.smtpUrl);
    }
    if (error === null) return this.settle(group, { status: 'sent' });
    const attempts = Math.max(...group.map((row) => row.attempts));
    if (attempts >= MAX_ATTEMPTS) return this.settle(group, { status: 'dead', error });
    return this.settle(group, { status: 'retry', error, availableAt: new Date(this.options.clock.now().getTime() + this.retryDelay(attempts)).toISOString() });
  }

  private async sendEmail(group: NotificationRecord[], glances: ReadonlyMap<string, ConversationGlance>): Promise<null> {
    const { mailer, publicUrl } = this.options;
    const ids = group.map((row) => row.id).sort();
    const message = emailMessage(group, glances, publicUrl);
    // Stable across attempts of the same group: a resend after a crash is the same email to a mail client.
    const messageId = `<${ids[0]}.${ids.length}@${new URL(publicUrl).hostname || 'finch'}>`;
    await mailer!.send({ ...message, to: group[0]!.recipient, messageId });
    return null;
  }

  private async post(row: NotificationRecord, glances: ReadonlyMap<string, ConversationGlance>): Promise<string | null> {
    const settings = await this.options.outbox.chatWebhook();
    if (!settings.url) return 'no chat webhook is set';
    const error = await postToChat(
      { url: settings.url, ...(this.options.allowedNetworks ? { allowedNetworks: this.options.allowedNetworks } : {}) },
      chatText(row, glances.get(row.conversationId ?? ''), this.options.publicUrl),
      this.options.timeoutMs ?? 15_000,
    );
    return error === null ? null : `${error} (${maskUrl(settings.url)})`;
  }

  private async settle(rows: readonly NotificationRecord[], outcome: SettleOutcome): Promise<void> {
    const at = this.options.clock.now().toISOString();
    await this.options.outbox.settle(
      this.options.worker,
      rows.map((row) => row.id),
      outcome,
      at,
    );
    const details = {
      notifications: rows.map((row) => row.id),
      channel: rows[0]!.channel,
      events: rows.map((row) => row.event),
      agentId: rows[0]!.agentId,
      attempts: Math.max(...rows.map((row) => row.attempts)),
      ...(outcome.status === 'sent' ? {} : outcome.status === 'dropped' ? { reason: outcome.reason } : { error: outcome.error }),
    };
    const message = `notification ${outcome.status === 'retry' ? 'failed; will retry' : outcome.status}`;
    if (outcome.status === 'sent' || outcome.status === 'dropped') this.options.logger.info(details, message);
    else this.options.logger.warn(details, message);
  }

  private retryDelay(attempts: number): number {
    const base = RETRY_DELAYS_MS[Math.min(Math.max(attempts, 1), RETRY_DELAYS_MS.length) - 1]!;
    return Math.round(base * (1 + 0.2 * (2 * (this.options.random ?? Math.random)() - 1)));
  }
}

/** Why a claimed notification is no longer worth sending, or undefined to send it. */
export function droppedBecause(
  row: NotificationRecord,
  glance: ConversationGlance | undefined,
  presence: ReadonlyMap<string, string>,
  choice: EmailChoice | undefined,
): string | undefined {
  if (row.conversationId && !glance) return 'the conversation no longer exists';
  if (row.channel === 'chat') {
    return row.event === 'waiting' && (glance!.status !== 'open' || glance!.assigneeId !== null) ? 'no longer waiting' : undefined;
  }
  const status = presence.get(row.agentId ?? '');
  if (status === undefined) return 'the agent is not active';
  if (choice === undefined || choice === 'never') return 'the agent no longer wants it (never)';
  if (choice === 'when_away' && status === 'online') return 'the agent is online (when_away)';
  switch (row.event) {
    case 'handover':
      return glance!.status !== 'open' || glance!.assigneeId !== null ? 'no longer waiting' : undefined;
    case 'assigned':
    case 'customer_reply':
      return glance!.assigneeId !== row.agentId ? 'no longer theirs' : undefined;
    case 'sla':
      return glance!.status !== 'open' ? 'no longer open' : undefined;
    default:
      return undefined;
  }
}
