/**
 * Sends the notifications queued in `notifications` (domain/notifications/): email over SMTP and
 * posts to the team's chat webhook. Runs in the server (unless FINCH_DISPATCHER=off) and in
 * `finch worker`; on PostgreSQL any number of senders share the work, each row going to one.
 *
 * A cycle claims what is due with a lease (a sender that dies mid-send loses nothing: the lease
 * runs out and the row is due again; at-least-once, and a resent email keeps its Message-ID), then
 * judges each row against the present: a hand-over that is no longer waiting, a conversation that
 * is no longer the agent's, an event the agent has since set to `never`, a `when_away` choice of an
 * agent who is online now, a chat post whose kind the admin switched off or with no webhook set:
 * dropped. A failure is retried with backoff, dead after MAX_ATTEMPTS; every outcome is stored and
 * logged, without the SMTP credentials or the webhook URL.
 *
 * Email and chat are two lanes with their own claims: the loop's cycle sends email; the chat lane
 * runs beside it (started by a cycle when it is idle and not paused, never awaited by the next
 * cycle), so a slow or hanging webhook never holds an email back. The chat lane posts what is due
 * as ONE post (a burst is grouped), at most one post per CHAT_PACE_MS, and after a 429/503 waits
 * what its Retry-After says.
 */
import type { DispatcherLogger } from '../outbox/dispatcher.js';
import type { Clock } from '../outbox/clock.js';
import type { PresenceStore } from '../store/presence-port.js';
import type { ConversationGlance, NotificationChannel, NotificationOutbox, NotificationRecord, SettleOutcome } from '../store/notification-port.js';
import { OutageLog } from '../lib/outage-log.js';
import { WakeableLoop } from '../lib/wakeable-loop.js';
import { DatabaseUnavailableError } from '../store/port.js';
import { maskUrl } from '../domain/notifications/chat-webhook.js';
import type { EmailEvent } from '../domain/notifications/preferences.js';
import { chatPostText } from './chat-text.js';
import { droppedBecause } from './dropped-because.js';
import { postToChat } from './chat-poster.js';
import { emailMessage } from './email-message.js';
import { scrubbed, type Mailer } from './mailer.js';

/** After the n-th failed attempt, the next waits RETRY_DELAYS_MS[n-1] (the last one repeats), ±20 %. */
export const RETRY_DELAYS_MS = [10_000, 60_000, 300_000, 900_000, 3_600_000, 10_800_000] as const;
/** Attempts before a notification is dead (about 8 hours of trying). */
export const MAX_ATTEMPTS = 8;
/** At most one chat post per this long from one sender (Slack's incoming webhooks take about one a second). */
export const CHAT_PACE_MS = 1_000;
/** The most events one chat post lists; more due at once go in the next post. */
export const CHAT_POST_LIMIT = 25;

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
  /** The chat lane's post in flight, if any (the cycle does not wait for it). */
  private chatLane: Promise<number> | undefined;
  /** No chat post before this time (ms since the epoch on the clock): pacing, or a Retry-After. */
  private chatPausedUntil = 0;

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

  /** When the chat lane may post next (pacing, or a chat server's Retry-After), ISO 8601. */
  get chatPausedUntilIso(): string {
    return new Date(this.chatPausedUntil).toISOString();
  }

  protected async run(): Promise<void> {
    while (!this.stopping) {
      let claimed = 0;
      let failed = false;
      try {
        this.startChatLane();
        claimed = await this.runEmail();
        // Without email this cycle read nothing: the chat lane says whether the database answers.
        if (this.options.mailer) this.outage.succeeded();
      } catch (error) {
        this.outage.failed(error);
        failed = true;
      }
      if (claimed < (this.options.batchSize ?? 50) && !this.stopping) await this.waitForWork(failed);
    }
    await this.chatLane;
  }

  /** After a failed cycle, a whole poll interval: a due row that cannot be sent must not spin the loop. */
  private waitForWork(failed: boolean): Promise<void> {
    return this.idleFor(
      async () => {
        // Until the next poll, or sooner when a queued notification falls due (a hand-over's hold ends).
        // Chat counts only while its lane is idle (a lane that ends having posted wakes the loop), and not before its pause ends.
        const { outbox, mailer } = this.options;
        const nextEmail = failed || !mailer ? null : await outbox.nextDue(['email']).catch(() => null);
        const nextChat = failed || this.chatLane ? null : await outbox.nextDue(['chat']).catch(() => null);
        const due = [
          ...(nextEmail === null ? [] : [Date.parse(nextEmail)]),
          ...(nextChat === null ? [] : [Math.max(Date.parse(nextChat), this.chatPausedUntil)]),
        ];
        const untilDue = Math.min(Number.POSITIVE_INFINITY, ...due) - this.options.clock.now().getTime();
        // At least a few ms: a row due but held for a moment by another sender's claim is not polled in a tight loop.
        return Math.max(5, Math.min(this.options.pollMs ?? 500, untilDue));
      },
      { ignoreWake: failed },
    );
  }

  /**
   * One cycle of both lanes, awaited (tests and one-off runs): email claimed, judged, sent and settled;
   * the chat lane's post too, unless one is in flight or paused. Returns how many rows were claimed.
   */
  async runOnce(): Promise<number> {
    const [email, chat] = await Promise.all([this.runEmail(), this.startChatLane() ?? Promise.resolve(0)]);
    return email + chat;
  }

  /** The email lane's cycle: each recipient's due emails go as one email. */
  private async runEmail(): Promise<number> {
    if (!this.options.mailer) return 0;
    const { outbox, clock } = this.options;
    const now = clock.now();
    const rows = await this.claim(['email'], this.options.batchSize ?? 50);
    if (rows.length === 0) return 0;
    const glances = await this.glance(rows);
    const presence = await this.options.presence.presenceOf(now.toISOString());
    // The choices as they are now: an agent who switched an event to `never` meanwhile gets no email for it.
    const choices = new Map((await outbox.emailRecipients()).map((recipient) => [recipient.agentId, recipient.prefs] as const));
    const groups = new Map<string, NotificationRecord[]>();
    for (const row of rows) {
      const reason = droppedBecause(row, glances.get(row.conversationId ?? ''), presence, choices.get(row.agentId ?? '')?.email[row.event as EmailEvent]);
      if (reason) {
        await this.settle([row], { status: 'dropped', reason });
        continue;
      }
      groups.set(row.recipient, [...(groups.get(row.recipient) ?? []), row]);
    }
    await Promise.all([...groups.values()].map((group) => this.send(group, () => this.sendEmail(group, glances))));
    return rows.length;
  }

  /** Starts the chat lane unless it is running or paused; when it ends having claimed something, the loop is woken for what may be due next. */
  private startChatLane(): Promise<number> | undefined {
    if (this.chatLane) return this.chatLane;
    if (this.options.clock.now().getTime() < this.chatPausedUntil) return undefined;
    const lane = this.runChat()
      .then((claimed) => {
        this.outage.succeeded();
        return claimed;
      })
      .catch((error: unknown) => {
        this.outage.failed(error);
        // A failed lane waits a whole poll before it claims again: an outage must not spin it.
        this.chatPausedUntil = this.options.clock.now().getTime() + (this.options.pollMs ?? 500);
        return 0;
      })
      .then((claimed) => {
        this.chatLane = undefined;
        if (claimed > 0 && this.started) this.wake();
        return claimed;
      });
    this.chatLane = lane;
    return lane;
  }

  /** The chat lane's cycle: what is due (up to CHAT_POST_LIMIT) judged by the settings as they are now, the rest as one post. */
  private async runChat(): Promise<number> {
    const rows = await this.claim(['chat'], CHAT_POST_LIMIT);
    if (rows.length === 0) return 0;
    const [glances, settings] = await Promise.all([this.glance(rows), this.options.outbox.chatWebhook()]);
    const posting: NotificationRecord[] = [];
    for (const row of rows) {
      const reason = droppedBecause(row, glances.get(row.conversationId ?? ''), new Map(), undefined, settings);
      if (reason) await this.settle([row], { status: 'dropped', reason });
      else posting.push(row);
    }
    if (posting.length === 0) return rows.length;
    let retryAfterMs: number | null = null;
    await this.send(
      posting,
      async () => {
        const result = await this.post(posting, glances, settings.url!);
        retryAfterMs = result.retryAfterMs;
        return result.error;
      },
      () => retryAfterMs,
    );
    const now = this.options.clock.now().getTime();
    this.chatPausedUntil = now + Math.max(CHAT_PACE_MS, retryAfterMs ?? 0);
    return rows.length;
  }

  private claim(channels: NotificationChannel[], limit: number): Promise<NotificationRecord[]> {
    const now = this.options.clock.now();
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    return this.options.outbox.claim(this.options.worker, now.toISOString(), new Date(now.getTime() + timeoutMs * 2 + 20_000).toISOString(), limit, channels);
  }

  private glance(rows: readonly NotificationRecord[]): Promise<Map<string, ConversationGlance>> {
    return this.options.outbox.glance([...new Set(rows.flatMap((row) => (row.conversationId ? [row.conversationId] : [])))]);
  }

  /** Sends a group (`deliver` says why it failed, or null) and settles it; a retry waits the backoff, or the chat server's Retry-After when it gave one. */
  private async send(group: NotificationRecord[], deliver: () => Promise<string | null>, retryAfterMs: () => number | null = () => null): Promise<void> {
    let error: string | null;
    try {
      error = await deliver();
    } catch (caught) {
      error = scrubbed(caught instanceof Error ? caught.message : String(caught), this.options.smtpUrl);
    }
    if (error === null) return this.settle(group, { status: 'sent' });
    const attempts = Math.max(...group.map((row) => row.attempts));
    if (attempts >= MAX_ATTEMPTS) return this.settle(group, { status: 'dead', error });
    const delay = retryAfterMs() ?? this.retryDelay(attempts);
    return this.settle(group, { status: 'retry', error, availableAt: new Date(this.options.clock.now().getTime() + delay).toISOString() });
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

  /** One post for the group to the webhook's current URL; the outcome is kept as the webhook's last attempt (Admin → Chat notifications). */
  private async post(
    group: NotificationRecord[],
    glances: ReadonlyMap<string, ConversationGlance>,
    url: string,
  ): Promise<{ error: string | null; retryAfterMs: number | null }> {
    const { clock, outbox } = this.options;
    const result = await postToChat(
      { url, ...(this.options.allowedNetworks ? { allowedNetworks: this.options.allowedNetworks } : {}) },
      chatPostText(group, glances, this.options.publicUrl),
      this.options.timeoutMs ?? 15_000,
      () => clock.now().getTime(),
    );
    const at = clock.now().toISOString();
    await outbox.recordChatAttempt({ at, ok: result.error === null, error: result.error, test: false }, at);
    return result.error === null ? result : { ...result, error: `${result.error} (${maskUrl(url)})` };
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
