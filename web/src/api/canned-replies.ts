/** The team's canned replies. */
import type { NewCannedReplyInput } from '../../../src/contract/canned-replies.js';
import { request } from './client.js';
import type { CannedReplyView } from './types.js';

const path = (id: string) => `/canned-replies/${encodeURIComponent(id)}`;

export const listCannedReplies = () => request<CannedReplyView[]>('GET', '/canned-replies');
export const createCannedReply = (input: NewCannedReplyInput) => request<CannedReplyView>('POST', '/canned-replies', input);
export const updateCannedReply = (id: string, input: Partial<NewCannedReplyInput>) => request<CannedReplyView>('PATCH', path(id), input);
export const deleteCannedReply = (id: string) => request('DELETE', path(id));
