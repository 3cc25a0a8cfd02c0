/**
 * Live updates: Finch's Server-Sent Events stream (`GET /api/v1/events`) names the conversations
 * that changed, and each change invalidates exactly what it names (invalidation.ts): those
 * conversations, and the lists and counts they may be in. EventSource reconnects by itself; after
 * a reconnect changes may have been missed, so everything is invalidated.
 *
 * The stream is also this inbox's presence (the agent is online or away while it is open): it is
 * one per page, shared by every screen that asks for it (`useLiveChanges`: the top bar, so on every
 * page, and the inbox), and it says which conversation the page shows (`useViewing`, sent as
 * `PUT /me/viewing` with the stream's connection id, again after each reconnect). It carries `team`
 * (someone's presence changed: the team and the agent's own presence are read again) and
 * `collision` (who else is on the conversation shown, kept under `keys.collision`).
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { CollisionEvent, StreamReady } from '../../../src/contract/presence.js';
import { ApiError } from '../api/client.js';
import { getCounts } from '../api/conversations.js';
import { putViewing } from '../api/presence.js';
import { invalidateNamed } from './invalidation.js';
import { keys } from './keys.js';

/** How long after a refused stream it is opened again. */
const RECONNECT_MS = 5000;

/** The page's one stream, open while any screen uses it. */
class SharedStream {
  private users = 0;
  private source: EventSource | null = null;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private connectedBefore = false;
  private connectionId: string | null = null;
  /** The conversation the page shows, and what Finch was last told. */
  private viewing: string | null = null;
  private told: { connectionId: string; viewing: string | null } | null = null;
  private telling: Promise<void> = Promise.resolve();
  private tellScheduled = false;
  private client: QueryClient | null = null;

  use(client: QueryClient): () => void {
    this.client = client;
    if (this.users++ === 0) this.connect();
    return () => {
      if (--this.users > 0) return;
      clearTimeout(this.retry);
      this.source?.close();
      this.source = null;
      this.connectionId = null;
      this.told = null;
      this.connectedBefore = false;
    };
  }

  view(conversationId: string | null): void {
    if (this.viewing !== null && this.viewing !== conversationId) this.client?.removeQueries({ queryKey: keys.collision(this.viewing) });
    this.viewing = conversationId;
    this.tell();
  }

  private connect(): void {
    if (this.users === 0) return;
    const source = new EventSource('/api/v1/events');
    this.source = source;
    source.addEventListener('ready', (event) => {
      const client = this.client!;
      if (this.connectedBefore) void invalidateNamed(client, 'all');
      this.connectedBefore = true;
      const ready = JSON.parse((event as MessageEvent<string>).data) as Partial<StreamReady>;
      if (ready.connection_id && ready.connection_id !== this.connectionId) {
        this.connectionId = ready.connection_id;
        this.tell();
      }
    });
    source.addEventListener('conversations', (event) => {
      const { ids } = JSON.parse((event as MessageEvent<string>).data) as { ids: string[] };
      void invalidateNamed(this.client!, ids);
    });
    source.addEventListener('team', () => {
      void this.client!.invalidateQueries({ queryKey: keys.agents });
      void this.client!.invalidateQueries({ queryKey: keys.presence });
    });
    source.addEventListener('collision', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as CollisionEvent;
      if (data.conversation_id !== this.viewing) return;
      this.client!.setQueryData(keys.collision(data.conversation_id), { viewers: data.viewers, typing: data.typing });
    });
    // EventSource gives up for good on an error answer (a 401 once the session ended elsewhere,
    // a 503 while Finch is busy). One ordinary call finds out which: a 401 there takes the agent
    // to the sign-in page (api/client.ts); otherwise the stream is opened again a little later.
    source.addEventListener('error', () => {
      if (source.readyState !== EventSource.CLOSED || this.source !== source) return;
      void getCounts().then(
        () => (this.retry = setTimeout(() => this.connect(), RECONNECT_MS)),
        (failure: unknown) => {
          if (!(failure instanceof ApiError && failure.status === 401)) this.retry = setTimeout(() => this.connect(), RECONNECT_MS);
        },
      );
    });
  }

  /** Tells Finch what the page shows: once per change (the latest), in order. */
  private tell(): void {
    if (this.tellScheduled) return;
    this.tellScheduled = true;
    this.telling = this.telling.then(async () => {
      this.tellScheduled = false;
      const connectionId = this.connectionId;
      const viewing = this.viewing;
      if (connectionId === null) return;
      if (this.told?.connectionId === connectionId && this.told.viewing === viewing) return;
      try {
        await putViewing(connectionId, viewing);
        this.told = { connectionId, viewing };
      } catch {
        // The stream ended (its connection is gone): the next `ready` tells again.
      }
    });
  }
}

const stream = new SharedStream();

/** Keeps the stream open while the screen that calls it is shown. */
export function useLiveChanges(): void {
  const client = useQueryClient();
  useEffect(() => stream.use(client), [client]);
}

/** Says which conversation the page shows while the calling screen shows it. */
export function useViewing(conversationId: string): void {
  useEffect(() => {
    stream.view(conversationId);
    return () => stream.view(null);
  }, [conversationId]);
}
