/** Telling an agent who allowed notifications that a conversation now waits for a human. */
import { useEffect, useRef } from 'react';
import type { QueueCounts } from '../api/types.js';

/** Notifies (with a chime) each time the waiting count grows after the screen first showed it. */
export function useHandOverNotice(counts: QueueCounts | undefined): void {
  const lastWaiting = useRef<number | null>(null);
  useEffect(() => {
    if (!counts) return;
    if (lastWaiting.current !== null && counts.waiting > lastWaiting.current && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      new Notification('A conversation is waiting for a human', { body: `${counts.waiting} waiting`, tag: 'finch-waiting' });
      chime();
    }
    lastWaiting.current = counts.waiting;
  }, [counts]);
}

/** A short two-tone chime for a new hand-over (no audio file to load). */
function chime(): void {
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
