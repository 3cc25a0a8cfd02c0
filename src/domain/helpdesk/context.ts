/**
 * What the helpdesk's use cases (the agent API) run against, by feature: one unit of work for
 * every write, and per feature what it reads and how it is configured. Wired by `helpdeskContext`
 * (finch.ts) over the SQL stores.
 */
import type { FinSettingsOverrides } from '../fin-settings.js';
import type { AccountStore } from '../../store/account-port.js';
import type { ActivityReader } from '../../store/activity-port.js';
import type { NotificationReader } from '../../store/notification-port.js';
import type { PostToChat } from '../notifications/chat-webhook.js';
import type { PresenceStore } from '../../store/presence-port.js';
import type { RoutingStore } from '../../store/routing-port.js';
import type { SlaStore } from '../../store/sla-port.js';
import type { CannedReplyStore } from '../../store/canned-reply-port.js';
import type { FileStore } from '../../store/file-port.js';
import type { HelpdeskStore, SettingsStore, UnitOfWork } from '../../store/helpdesk-port.js';
import type { OutboxStore } from '../../store/outbox-port.js';
import type { CredentialStore } from '../../store/port.js';

export interface HelpdeskContext {
  /**
   * The unit of work: a use case's writes, all of them, go through one `transaction` (helpdesk-port.ts),
   * so a change and its outbox event commit together. Exceptions, each committing on its own:
   * rate-limit counters, a session's last-seen time, the file-signing key made on first use.
   */
  transaction: UnitOfWork['transaction'];
  /** The inbox's reads: queues, counts, a conversation and its thread, live changes. */
  conversations: Pick<HelpdeskStore, 'listConversations' | 'countQueues' | 'findConversation' | 'listThreadPage' | 'countMessages' | 'subscribeToChanges'>;
  /** Agents, their credentials and sessions; the shared rate limits; `touchSession` (per request). */
  accounts: AccountStore;
  /** API tokens and OAuth clients, as the agent API checks and lists them. */
  access: Pick<CredentialStore, 'findApiToken' | 'findAccessToken' | 'listApiTokens' | 'findClient' | 'listClients'>;
  fin: {
    settings: Pick<SettingsStore, 'getFinSettings' | 'getDeliveryState'>;
    /** Fin settings given by environment variables; they win over stored ones. */
    overrides: FinSettingsOverrides;
    /** The delivery log. */
    deliveries: Pick<OutboxStore, 'listDeliveries'>;
    /** Called after Fin settings changed and committed (the dispatcher reads them again). */
    settingsChanged: () => void;
  };
  files: {
    store: Pick<FileStore, 'readFile' | 'fileSigningKey'>;
    /** FINCH_PUBLIC_URL: where Fin and browsers reach Finch (file links are made from it). */
    publicUrl: string;
    /** How long a signed file URL works, in seconds (FINCH_ATTACHMENT_URL_TTL). */
    urlTtlSeconds: number;
  };
  cannedReplies: Pick<CannedReplyStore, 'listCannedReplies'>;
  /** Conversations' activity (domain/activity/). */
  activity: ActivityReader;
  /** Who is around (domain/presence/). */
  presence: PresenceStore;
  routing: {
    store: RoutingStore;
    /** Called after a commit that may let routing assign something (an agent came online, freed capacity, settings changed): wakes this process's router. */
    wake: () => void;
  };
  /** Business hours and SLA targets (domain/sla/). */
  sla: SlaStore;
  /** Notifications queued and sent (domain/notifications/). */
  notifications: NotificationReader;
  /** Posts to the team's chat webhook now (Admin → Chat notifications' test post), by the senders' own rule. */
  chat: { post: PostToChat };
  now: () => Date;
  /** Called once a transaction that wrote to the outbox has committed (wakes the dispatcher in this process). */
  outboxWritten: () => void;
}
