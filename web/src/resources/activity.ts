/**
 * A conversation's activity, page by page (oldest first). Its key sits under the conversation's
 * (keys.activity), so every live change to the conversation reads it again.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { listActivity } from '../api/activity.js';
import { keys } from './keys.js';

/** Events per page; more load when the agent asks. */
const PAGE = 100;

export function useActivity(conversationId: string) {
  return useInfiniteQuery({
    queryKey: keys.activity(conversationId),
    queryFn: ({ pageParam }) => listActivity(conversationId, { cursor: pageParam, limit: PAGE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
  });
}
