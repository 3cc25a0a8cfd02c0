/**
 * Away when idle (issue 12, item 1): after the team's idle time (`away_after_minutes`) without
 * input in any of the agent's tabs of this browser (a hidden tab gets none), the inbox sets them
 * away by itself, and online again at the next input, only if the away was its own: Finch keeps an
 * away the agent chose (`automatic`, PUT /me/presence). The last input is shared by the tabs
 * through localStorage, so a tab left in the background does not set away an agent busy in another.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { putMyPresence } from '../api/presence.js';
import { keys } from '../resources/keys.js';

/** Where the tabs keep the time of the agent's last input (ms since the epoch). */
export const LAST_INPUT_KEY = 'finch.lastInput';
/** How often a tab looks whether the agent is idle. */
const CHECK_MS = 2000;
/** Input is noted at most this often (mousemove fires a lot). */
const NOTE_EVERY_MS = 1000;
const INPUTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'focus'] as const;

const lastInput = () => Number(localStorage.getItem(LAST_INPUT_KEY) ?? 0) || Date.now();

export function useIdleAway(awayAfterMinutes: number | undefined): void {
  const client = useQueryClient();
  useEffect(() => {
    if (!awayAfterMinutes) return;
    let noted = 0;
    let idle: boolean | undefined;
    const set = (status: 'online' | 'away') =>
      putMyPresence({ status, automatic: true }).then(
        (presence) => client.setQueryData(keys.presence, presence),
        () => undefined,
      );
    const check = () => {
      const now = Date.now();
      const isIdle = now - lastInput() > awayAfterMinutes * 60_000;
      if (isIdle === idle) return;
      idle = isIdle;
      void set(isIdle ? 'away' : 'online');
    };
    const note = () => {
      if (document.visibilityState === 'hidden') return;
      const now = Date.now();
      if (now - noted < NOTE_EVERY_MS) return;
      noted = now;
      localStorage.setItem(LAST_INPUT_KEY, String(now));
      if (idle) check();
    };
    note();
    for (const input of INPUTS) window.addEventListener(input, note, { passive: true });
    document.addEventListener('visibilitychange', note);
    const timer = setInterval(check, CHECK_MS);
    check();
    return () => {
      clearInterval(timer);
      for (const input of INPUTS) window.removeEventListener(input, note);
      document.removeEventListener('visibilitychange', note);
    };
  }, [awayAfterMinutes, client]);
}
