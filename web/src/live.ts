/**
 * Live updates: Finch's Server-Sent Events stream (`GET /api/v1/events`) names the conversations
 * that changed; the inbox re-reads what it shows of them. EventSource reconnects by itself; after a
 * reconnect everything is re-read, since changes may have been missed meanwhile.
 */
import { useEffect, useRef } from 'react';
import { api, ApiError } from './api/client.js';

/** How long after a refused stream it is opened again. */
const RECONNECT_MS = 5000;

export function useLiveChanges(onChange: (conversationIds: string[] | 'all') => void): void {
  const handler = useRef(onChange);
  handler.current = onChange;
  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let connectedBefore = false;
    let stopped = false;
    const connect = () => {
      if (stopped) return;
      source = new EventSource('/api/v1/events');
      source.addEventListener('ready', () => {
        if (connectedBefore) handler.current('all');
        connectedBefore = true;
      });
      source.addEventListener('conversations', (event) => {
        const { ids } = JSON.parse((event as MessageEvent<string>).data) as { ids: string[] };
        handler.current(ids);
      });
      // EventSource gives up for good on an error answer (a 401 once the session ended elsewhere,
      // a 503 while Finch is busy). One ordinary call finds out which: a 401 there takes the agent
      // to the sign-in page (api.ts); otherwise the stream is opened again a little later.
      source.addEventListener('error', () => {
        if (source?.readyState !== EventSource.CLOSED) return;
        void api.counts().then(
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
  }, []);
}

/** A short two-tone chime for a new hand-over (no audio file to load). */
export function chime(): void {
  try {
    const audio = new AudioContext();
    for (const [offset, frequency] of [
      [0, 880],
      [0.15, 1320],
    ] as const) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.15, audio.currentTime + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + offset + 0.3);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(audio.currentTime + offset);
      oscillator.stop(audio.currentTime + offset + 0.3);
    }
  } catch {
    // No audio (autoplay policy or no device): the notification still shows.
  }
}
