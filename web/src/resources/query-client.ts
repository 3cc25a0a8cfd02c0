/**
 * The one cache of what the screens show, each resource under its key (keys.ts). Finch says what
 * changed (live.ts), so nothing is read again on a timer, on focus or on reconnect; a screen that
 * mounts reads again what it shows (stale from the start, as the screens always did). A refused
 * read is shown at once and not retried: a 401 must reach the sign-in page, and a 503's sentence
 * already says when to try again.
 */
import { QueryClient } from '@tanstack/react-query';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: false, refetchOnWindowFocus: false, refetchOnReconnect: false },
    mutations: { retry: false },
  },
});
