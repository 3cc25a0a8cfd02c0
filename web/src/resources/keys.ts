/**
 * The keys of everything the inbox loads. A key is a path: invalidating `conversationLists`
 * invalidates every filtered list under it, invalidating `[]` everything (live.ts).
 */
import type { ListFilters } from '../api/conversations.js';

export const keys = {
  counts: ['counts'],
  conversationLists: ['conversations'],
  conversationList: (filters: ListFilters) => ['conversations', filters],
  conversation: (id: string) => ['conversation', id],
  /** Under the conversation's key: a change to the conversation makes its activity stale too. */
  activity: (id: string) => ['conversation', id, 'activity'],
  /** Who else is viewing or typing in a conversation (live on the event stream). */
  collision: (id: string) => ['collision', id],
  presence: ['presence'],
  agents: ['agents'],
  cannedReplies: ['canned-replies'],
  tokens: ['tokens'],
  clients: ['oauth-clients'],
  finSettings: ['fin-settings'],
  signatureReport: ['fin-settings', 'signature-report'],
  deliveries: ['deliveries'],
  routing: ['settings', 'routing'],
  businessHours: ['settings', 'business-hours'],
  chatWebhook: ['settings', 'chat-webhook'],
  notificationPrefs: ['me', 'notifications'],
  deliveryLog: (outcome: string) => ['deliveries', { outcome }],
} as const;
