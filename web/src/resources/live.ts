/**
 * Live updates: Finch's Server-Sent Events stream (`GET /api/v1/events`) names the conversations
 * that changed, and each change invalidates exactly what it names (invalidation.ts): those
 * conversations, and the lists and counts they may be in. EventSource reconnects by itself; after
 * a reconnect changes may have been missed, so everything is invalidated.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ApiError } from '../api/client.js';
import { getCounts } from '../api/conversations.js';
import { invalidateNamed } from './invalidation.js';

/** How long after a refused stream it is opened again. */
const RECONNECT_MS = 5000;

/** Keeps the stream open while the screen that calls it is shown. */
export function useLiveChanges(): void {
  const client = useQueryClient();
  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let connectedBefore = false;
    let stopped = false;
    const connect = () => {
      if (stopped) return;
      source = new EventSource('/api/v1/events');
      source.addEventListener('ready', () => {
        if (connectedBefore) void invalidateNamed(client, 'all');
        connectedBefore = true;
      });
      source.addEventListener('conversations', (event) => {
        const { ids } = JSON.parse((event as MessageEvent<string>).data) as { ids: string[] };
        void invalidateNamed(client, ids);
      });
      // EventSource gives up for good on an error answer (a 401 once the session ended elsewhere,
      // a 503 while Finch is busy). One ordinary call finds out which: a 401 there takes the agent
      // to the sign-in page (api/client.ts); otherwise the stream is opened again a little later.
      source.addEventListener('error', () => {
        if (source?.readyState !== EventSource.CLOSED) return;
        void getCounts().then(
          () => (retry = setTimeout(connect, RECONNECT_MS)),
          (failure: unknown) => {
            if (!(failure instanceof ApiError && failure.status === 401)) retry = setTimeout(connect, RECONNECT_MS);
          },
        );
      });
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [client]);
}
