/** What the inbox shows of conversations: the queue counts, the filtered lists, one conversation. */
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { ApiError } from '../api/client.js';
import { getConversation, getCounts, getOlderMessages, listConversations, type ListFilters } from '../api/conversations.js';
import type { ConversationDetail, MessageView } from '../api/types.js';
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

/** One read of a conversation's thread: the conversation with its newest messages, or a page before them. */
interface ThreadRead {
  detail: ConversationDetail | null;
  messages: MessageView[];
  cursor: string | null;
}

/** What a conversation screen shows: the conversation, its end-user, the messages loaded so far (oldest first). */
export interface LoadedConversation extends ConversationDetail {
  /** Whether older messages than those loaded exist; `loadOlder` reads the next page of them. */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** Why the last page of older messages could not be read (in the agent's words), until it is. */
  olderError: string | null;
  loadOlder: () => void;
}

/** A page cursor refused: the thread's own words for it (problems.ts speaks of lists). */
const THREAD_MOVED = 'The conversation changed while you were scrolling. Reload the page to start from the newest messages.';

/**
 * A conversation and its thread, page by page from the newest (GET /conversations/{id}, then
 * /messages?before=). Read again after a change, it reads its pages again in order, each from the
 * cursor of the one before, so the messages stay one unbroken run however many arrived.
 */
export function useConversation(id: string) {
  const read = useInfiniteQuery({
    queryKey: keys.conversation(id),
    queryFn: async ({ pageParam }): Promise<ThreadRead> => {
      if (pageParam === null) {
        const detail = await getConversation(id);
        return { detail, messages: detail.messages, cursor: detail.messages_cursor };
      }
      const page = await getOlderMessages(id, pageParam);
      return { detail: null, messages: page.messages, cursor: page.messages_cursor };
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.cursor,
  });
  const { data, hasNextPage, isFetchingNextPage, fetchNextPage, isFetchNextPageError, error } = read;
  const olderError = isFetchNextPageError && error ? (error instanceof ApiError && error.code === 'invalid_cursor' ? THREAD_MOVED : error.message) : null;
  const loaded = useMemo((): LoadedConversation | undefined => {
    const detail = data?.pages[0]?.detail;
    if (!detail) return undefined;
    return {
      ...detail,
      messages: data.pages.toReversed().flatMap((page) => page.messages),
      hasOlder: hasNextPage,
      loadingOlder: isFetchingNextPage,
      olderError,
      loadOlder: () => void fetchNextPage({ cancelRefetch: false }),
    };
  }, [data, hasNextPage, isFetchingNextPage, olderError, fetchNextPage]);
  // An older page's failure is the thread's to show (beside it), not the conversation's.
  return { data: loaded, error: isFetchNextPageError ? null : error };
}
