/**
 * When a conversation's reply is due (its SLA, counted in business hours by Finch): "Due in 25 min",
 * "Overdue by 5 min", in red once overdue or breached, with a label that says it in full for
 * screen readers. Time moves on screen: the text is worked out again every 30 seconds.
 */
import { useEffect, useState } from 'react';
import type { ConversationView } from '../api/types.js';
import { when } from '../ui/when.js';

const TICK_MS = 30_000;

/** Now, again every 30 seconds while mounted. */
function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** A span of time as an agent reads it: "25 min", "3 h 5 min", "2 d 4 h" (minutes rounded up while due, down once overdue). */
export function span(ms: number, long = false): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60];
  const unit = (value: number, short: string, word: string) => (long ? `${value} ${word}${value === 1 ? '' : 's'}` : `${value} ${short}`);
  const parts =
    d > 0
      ? [unit(d, 'd', 'day'), h > 0 && unit(h, 'h', 'hour')]
      : h > 0
        ? [unit(h, 'h', 'hour'), m > 0 && unit(m, 'min', 'minute')]
        : [unit(m, 'min', 'minute')];
  return parts.filter(Boolean).join(' ');
}

/** What the due line says at `now`: the text shown, the full label, and whether it is late. */
export function dueText(dueAt: string, now: number, breached: boolean): { text: string; label: string; late: boolean } {
  const left = Date.parse(dueAt) - now;
  if (left > 0) return { text: `Due in ${span(left)}`, label: `Reply due in ${span(left, true)}, at ${when(dueAt)}`, late: breached };
  return { text: `Overdue by ${span(-left)}`, label: `Reply overdue by ${span(-left, true)}, since ${when(dueAt)}`, late: true };
}

/** The reply's due time as a badge, or nothing when no reply is due. */
export function DueBadge({ conversation }: { conversation: Pick<ConversationView, 'reply_due_at' | 'sla_breached_at'> }) {
  const now = useNow();
  if (!conversation.reply_due_at) return null;
  const due = dueText(conversation.reply_due_at, now, conversation.sla_breached_at !== null);
  // The short text is for the eye; a screen reader reads the full sentence instead.
  return (
    <span className={due.late ? 'badge due late' : 'badge due'} title={due.label} data-late={due.late}>
      <span aria-hidden="true">{due.text}</span>
      <span className="visually-hidden">{due.label}</span>
    </span>
  );
}
