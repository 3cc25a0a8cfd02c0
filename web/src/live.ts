/**
 * Live updates: Finch's Server-Sent Events stream (`GET /api/v1/events`) names the conversations
 * that changed; the inbox re-reads what it shows of them. EventSource reconnects by itself; after a
 * reconnect everything is re-read, since changes may have been missed meanwhile.
 */
import { useEffect, useRef } from 'react';

export function useLiveChanges(onChange: (conversationIds: string[] | 'all') => void): void {
  const handler = useRef(onChange);
  handler.current = onChange;
  useEffect(() => {
    const source = new EventSource('/api/v1/events');
    let connectedBefore = false;
    source.addEventListener('ready', () => {
      if (connectedBefore) handler.current('all');
      connectedBefore = true;
    });
    source.addEventListener('conversations', (event) => {
      const { ids } = JSON.parse((event as MessageEvent<string>).data) as { ids: string[] };
      handler.current(ids);
    });
    return () => source.close();
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
