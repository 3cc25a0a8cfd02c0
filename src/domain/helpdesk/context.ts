import type { FinSettingsOverrides } from '../fin-settings.js';
import type { AccountStore, HelpdeskStore, SettingsStore } from '../../store/helpdesk-port.js';
import type { CannedReplyStore } from '../../store/canned-reply-port.js';
import type { FileStore } from '../../store/file-port.js';
import type { OutboxStore } from '../../store/outbox-port.js';
import type { CredentialStore } from '../../store/port.js';

/** What the helpdesk's use cases (the agent API) run against. */
export interface HelpdeskContext {
  store: HelpdeskStore;
  accounts: AccountStore;
  credentials: CredentialStore;
  outbox: OutboxStore;
  settings: SettingsStore;
  cannedReplies: CannedReplyStore;
  files: FileStore;
  /** FINCH_PUBLIC_URL: where Fin and browsers reach Finch (file links are made from it). */
  publicUrl: string;
  /** How long a signed file URL works. */
  fileUrlTtlSeconds: number;
  /** Fin settings given by environment variables; they win over stored ones. */
  finOverrides: FinSettingsOverrides;
  now: () => Date;
  /** Called once a transaction that wrote to the outbox has committed (wakes the dispatcher). */
  outboxWritten: () => void;
  /** Called when Fin settings changed (the dispatcher reads them again). */
  settingsChanged: () => void;
}
