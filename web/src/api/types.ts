/** The agent API's shapes as the inbox uses them: the server's own (src/contract), imported as types only. */
import type {
  AgentView,
  ClientView as ClientViewSchema,
  ConversationDetail,
  ConversationView,
  DeliveryView as DeliveryViewSchema,
  EndUserView,
  FinSettingsView,
  MessagePage,
  MessageView,
  Queue,
  SessionView,
  TokenView as TokenViewSchema,
} from '../../../src/contract/agent-api.js';
import type { CannedReplyView } from '../../../src/contract/canned-replies.js';
import type { Static } from 'typebox';

export type { CannedReplyView };
export type { AgentView, ConversationDetail, ConversationView, EndUserView, FinSettingsView, MessagePage, MessageView, Queue, SessionView };
export type DeliveryView = Static<typeof DeliveryViewSchema>;
export type TokenView = Static<typeof TokenViewSchema>;
export type ClientView = Static<typeof ClientViewSchema>;
/** Open conversations per queue, and `unread`: of mine, those with an end-user message not opened yet. */
export type QueueCounts = Record<'waiting' | 'mine' | 'fin' | 'others' | 'all' | 'unread', number>;
export interface Page<T> {
  items: T[];
  next: string | null;
}
