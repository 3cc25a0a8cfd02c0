/** Telling an agent who allowed notifications that a conversation now waits for a human. */
import { useEffect, useRef } from 'react';
import type { QueueCounts } from '../api/types.js';

/**
 * Notifies (with a chime) each time, after the screen first showed the counts, the waiting count
 * grows (a hand-over, or a customer back with nobody to return to) or the agent's unread count
 * grows (a customer wrote again in one of their conversations).
 */
export function useHandOverNotice(counts: QueueCounts | undefined): void {
  const last = useRef<QueueCounts | null>(null);
  useEffect(() => {
    if (!counts) return;
    const before = last.current;
    last.current = counts;
    if (before === null || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    if (counts.waiting > before.waiting) {
      new Notification('A conversation is waiting for a human', { body: `${counts.waiting} waiting`, tag: 'finch-waiting' });
      chime();
    } else if (counts.unread > before.unread) {
      new Notification('A customer wrote to you again', { body: `${counts.unread} unread in Mine`, tag: 'finch-unread' });
      chime();
    }
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
