/**
 * What the helpdesk's use cases (the agent API) run against, by feature: one unit of work for
 * every write, and per feature what it reads and how it is configured. Wired by `helpdeskContext`
 * (finch.ts) over the SQL stores.
 */
import type { FinSettingsOverrides } from '../fin-settings.js';
import type { AccountStore } from '../../store/account-port.js';
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
  conversations: Pick<HelpdeskStore, 'listConversations' | 'countQueues' | 'findConversation' | 'listMessages' | 'subscribeToChanges'>;
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
  now: () => Date;
  /** Called once a transaction that wrote to the outbox has committed (wakes the dispatcher in this process). */
  outboxWritten: () => void;
}
