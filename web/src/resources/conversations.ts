/** What the inbox shows of conversations: the queue counts, the filtered lists, one conversation. */
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/client.js';
import { getConversation, getCounts, getOlderMessages, listConversations, type ListFilters } from '../api/conversations.js';
import type { ConversationDetail } from '../api/types.js';
import { keys } from './keys.js';
import { messagesOf, nextOlderCursor, withOlderPage, withRead, type ThreadState } from './thread.js';

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

/** What a conversation screen shows: the conversation, its end-user, the messages loaded so far (oldest first). */
export interface LoadedConversation extends ConversationDetail {
  /** Whether older messages than those loaded exist; `loadOlder` reads the next page of them. */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** Why the last page of older messages could not be read (in the agent's words), until it is. */
  olderError: string | null;
  loadOlder: () => void;
}

/** A page cursor refused (problems.ts speaks of lists, whose cursors a change can outdate; a thread's only an upgrade of Finch can). */
const CURSOR_REFUSED = 'Finch did not accept where the thread left off. Reload the page to read it from the newest messages.';

/**
 * A conversation and its thread (thread.ts): the conversation with its newest messages is the
 * query every change makes stale; the older pages the agent scrolls back to are read once each and
 * kept beside it. The screen using it is keyed by conversation, so its state is the conversation's.
 */
export function useConversation(id: string): { data: LoadedConversation | undefined; error: Error | null } {
  const read = useQuery({ queryKey: keys.conversation(id), queryFn: () => getConversation(id) });
  const [thread, setThread] = useState<ThreadState | null>(null);
  // Each new read is put together with what is held as it arrives (state derived during render).
  if (read.data && read.data !== thread?.detail) setThread(withRead(thread, read.data));
  // The error belongs to the page it was for: once the thread started over, it is not shown.
  const [older, setOlder] = useState<{ loading: boolean; error: string | null; cursor: string | null }>({ loading: false, error: null, cursor: null });
  const loading = useRef(false);
  const cursor = thread ? nextOlderCursor(thread) : null;
  const loadOlder = useCallback(() => {
    if (loading.current || cursor === null) return;
    loading.current = true;
    setOlder({ loading: true, error: null, cursor });
    getOlderMessages(id, cursor).then(
      (page) => {
        loading.current = false;
        setThread((held) => held && withOlderPage(held, cursor, page));
        setOlder({ loading: false, error: null, cursor });
      },
      (failure: unknown) => {
        loading.current = false;
        const message = failure instanceof ApiError && failure.code === 'invalid_cursor' ? CURSOR_REFUSED : (failure as Error).message;
        setOlder({ loading: false, error: message, cursor });
      },
    );
  }, [id, cursor]);
  const data = useMemo((): LoadedConversation | undefined => {
    if (!thread) return undefined;
    return {
      ...thread.detail,
      messages: messagesOf(thread),
      hasOlder: cursor !== null,
      loadingOlder: older.loading,
      olderError: older.cursor === cursor ? older.error : null,
      loadOlder,
    };
  }, [thread, cursor, older, loadOlder]);
  return { data, error: read.error };
}
