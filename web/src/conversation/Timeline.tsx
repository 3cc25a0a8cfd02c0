/**
 * The conversation's activity as a timeline: what happened to it, when, and who did it, oldest
 * first, one readable line per event ("Fin handed it over", "Assigned to Ana automatically",
 * "First reply by Ana", "SLA breached (first reply due 10:30)"). Live: its data is read again with
 * the conversation's (resources/activity.ts).
 */
import type { ActivityView } from '../api/activity.js';
import { useActivity } from '../resources/activity.js';
import { ErrorNote } from '../ui/ErrorNote.js';
import { when } from '../ui/when.js';

export function Timeline(props: { conversationId: string }) {
  const activity = useActivity(props.conversationId);
  const events = activity.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="panel timeline" aria-label="Activity">
      <h2>Activity</h2>
      <ErrorNote error={activity.error ? activity.error.message : null} />
      {activity.isPending ? (
        <p className="hint">Loading…</p>
      ) : (
        <ol className="timeline-events" style={LIST}>
          {shown(events).map((event) => (
            <li key={event.id} data-kind={event.kind} style={event.kind === 'sla_breached' ? BREACHED : undefined}>
              <time className="hint" dateTime={event.at} title={new Date(event.at).toLocaleString()}>
                {when(event.at)}
              </time>{' '}
              <span>{line(event)}</span>
            </li>
          ))}
        </ol>
      )}
      {activity.hasNextPage && (
        <button type="button" onClick={() => void activity.fetchNextPage()} disabled={activity.isFetchingNextPage}>
          Show more
        </button>
      )}
    </section>
  );
}

// The timeline's own look, in the component (the inbox's stylesheet styles panels, not lines).
const LIST = { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '0.35rem' } as const;
const BREACHED = { color: 'var(--danger)' } as const;

/** The events worth a line: a status change that is a reopening shows once, as the reopening. */
function shown(events: ActivityView[]): ActivityView[] {
  const reopenings = new Set(events.filter((event) => event.kind === 'reopened').map((event) => `${event.at} ${event.actor.type} ${event.actor.id}`));
  return events.filter(
    (event) => !(event.kind === 'status_changed' && event.details.to === 'open' && reopenings.has(`${event.at} ${event.actor.type} ${event.actor.id}`)),
  );
}

/** Why a conversation waits for a person, as a few words. */
const REASONS: Record<string, string> = {
  fin_unreachable: 'Fin unreachable',
  customer_returned: 'customer returned',
  agent_deactivated: 'agent deactivated',
  agent_unassigned: 'unassigned',
  agent_away: 'agent away',
};

const STATUS: Record<string, string> = { open: 'Open', resolved: 'Resolved', closed: 'Closed', ended: 'Ended' };

/** One event as a sentence. */
export function line(event: ActivityView): string {
  const who = event.actor.name ?? (event.actor.type === 'end_user' ? 'The customer' : 'Someone');
  const by = event.actor.type === 'agent' ? ` by ${who}` : '';
  switch (event.kind) {
    case 'created':
      return event.actor.type === 'fin' ? 'Fin started the conversation' : `Conversation started${by}`;
    case 'handed_over': {
      const reason = event.details.reason === null ? null : (REASONS[event.details.reason] ?? event.details.reason.replaceAll('_', ' '));
      if (event.actor.type === 'fin') return reason ? `Fin handed it over: ${reason}` : 'Fin handed it over';
      return `Handed over${reason ? `: ${reason}` : ''}${by}`;
    }
    case 'assigned': {
      const to = event.details.assignee_name ?? 'someone';
      switch (event.details.how) {
        case 'automatic':
          return `Assigned to ${to} automatically`;
        case 'return':
          return `Back to ${to}: the customer returned`;
        case 'fin':
          // Fin's update naming the Fin agent: Fin handles it again.
          return to === 'Fin' ? 'Fin took it back' : `Fin assigned it to ${to}`;
        case 'manual':
          if (event.actor.type === 'agent' && event.actor.id === event.details.assignee_id) return `${to} took it`;
          if (to === 'Fin') return `Handed back to Fin${by}`;
          return `Assigned to ${to}${by}`;
      }
      return `Assigned to ${to}`;
    }
    case 'unassigned':
      return `Unassigned from ${event.details.previous_assignee_name ?? 'someone'}${by}`;
    case 'first_human_reply':
      return `First reply by ${event.details.agent_name ?? 'an agent'}`;
    case 'customer_replied':
      return `${who} replied`;
    case 'status_changed':
      return `${STATUS[event.details.to] ?? event.details.to}${by || (event.actor.type === 'fin' ? ' by Fin' : '')}`;
    case 'reopened':
      return `Reopened${event.actor.type === 'end_user' ? ' by the customer' : by || (event.actor.type === 'fin' ? ' by Fin' : '')}`;
    case 'sla_due_soon':
      return `${target(event.details.target)} due soon (due ${when(event.details.due_at)})`;
    case 'sla_breached':
      return `SLA breached (${target(event.details.target).toLowerCase()} due ${when(event.details.due_at)})`;
  }
}

const target = (name: 'first_reply' | 'resolution') => (name === 'first_reply' ? 'First reply' : 'Resolution');
