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
  agents: ['agents'],
  cannedReplies: ['canned-replies'],
  tokens: ['tokens'],
  clients: ['oauth-clients'],
  finSettings: ['fin-settings'],
  signatureReport: ['fin-settings', 'signature-report'],
  deliveries: ['deliveries'],
  deliveryLog: (outcome: string) => ['deliveries', { outcome }],
} as const;
