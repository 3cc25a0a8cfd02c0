/** Conversations, their counts, their messages and their end-users. */
import type { ConversationPatch, EndUserPatch, ReplyInput } from '../../../src/contract/agent-api.js';
import { query, request } from './client.js';
import type { ConversationDetail, ConversationView, EndUserView, MessagePage, MessageView, Page, Queue, QueueCounts } from './types.js';

const path = (id: string, rest = '') => `/conversations/${encodeURIComponent(id)}${rest}`;

export const getCounts = () => request<QueueCounts>('GET', '/conversations/counts');

export interface ListFilters {
  queue: Queue;
  status?: string | undefined;
  tag?: string | undefined;
  q?: string | undefined;
  /** `due`: by when the reply is due, soonest (most overdue) first. */
  sort?: 'default' | 'due' | undefined;
}

export async function listConversations(params: ListFilters & { cursor?: string | null; limit?: number }): Promise<Page<ConversationView>> {
  const page = await request<{ conversations: ConversationView[]; next_cursor: string | null }>('GET', `/conversations${query({ ...params })}`);
  return { items: page.conversations, next: page.next_cursor };
}

/** The conversation with its newest messages; `messages_cursor` reads the older ones (`getOlderMessages`). */
export const getConversation = (id: string) => request<ConversationDetail>('GET', path(id));
/** The page of messages before `before` (a `messages_cursor`), oldest first. */
export const getOlderMessages = (id: string, before: string) => request<MessagePage>('GET', path(id, `/messages${query({ before })}`));
export const reply = (id: string, input: ReplyInput) => request<MessageView>('POST', path(id, '/messages'), input);
export const patchConversation = (id: string, patch: ConversationPatch) => request<ConversationView>('PATCH', path(id), patch);
export const takeOver = (id: string) => request<ConversationView>('POST', path(id, '/takeover'));
export const handBack = (id: string) => request<ConversationView>('POST', path(id, '/handback'));
export const resync = (id: string) => request<{ queued: boolean }>('POST', path(id, '/resync'));
export const sendTyping = (id: string) => request<{ sent: boolean }>('POST', path(id, '/typing'));
/** Uploads a file for a reply; the answer's url is signed and HTTPS (Finch needs an HTTPS public URL). */
export const upload = (file: File) =>
  request<{ url: string; filename: string; filetype: string }>('POST', `/attachments${query({ filename: file.name })}`, undefined, file);
export const patchEndUser = (id: string, patch: EndUserPatch) => request<EndUserView>('PATCH', `/users/${encodeURIComponent(id)}`, patch);
