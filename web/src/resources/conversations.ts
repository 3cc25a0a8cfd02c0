/** What the inbox shows of conversations: the queue counts, the filtered lists, one conversation. */
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { getConversation, getCounts, listConversations, type ListFilters } from '../api/conversations.js';
import { keys } from './keys.js';

/** Rows per page of a list; more load as the agent scrolls. */
const PAGE = 50;

export const useCounts = () => useQuery({ queryKey: keys.counts, queryFn: getCounts });

/**
 * A filtered list, page by page (cursor pagination). Read again, it reads its pages again in order,
 * each from the cursor of the one before, so a live change never appends a page twice or out of
 * date; while other filters load, the list shown stays until their first page arrives.
 */
export function useConversationList(filters: ListFilters) {
  return useInfiniteQuery({
    queryKey: keys.conversationList(filters),
    queryFn: ({ pageParam }) => listConversations({ ...filters, cursor: pageParam, limit: PAGE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
    placeholderData: keepPreviousData,
  });
}

export const useConversation = (id: string) => useQuery({ queryKey: keys.conversation(id), queryFn: () => getConversation(id) });
