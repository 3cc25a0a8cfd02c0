/** A conversation's activity (GET /conversations/{id}/activity), oldest first, a page at a time. */
import type { ActivityView } from '../../../src/contract/activity.js';
import { query, request } from './client.js';
import type { Page } from './types.js';

export type { ActivityView };

export async function listActivity(conversationId: string, params: { cursor?: string | null; limit?: number } = {}): Promise<Page<ActivityView>> {
  const page = await request<{ activity: ActivityView[]; next_cursor: string | null }>(
    'GET',
    `/conversations/${encodeURIComponent(conversationId)}/activity${query({ ...params })}`,
  );
  return { items: page.activity, next: page.next_cursor };
}
