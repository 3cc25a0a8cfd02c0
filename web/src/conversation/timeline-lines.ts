/**
 * The timeline's sentences: which events get a line and what each says (Timeline.tsx shows them).
 * Pure, so the wording is tested without a browser.
 */
import type { ActivityView } from '../api/activity.js';
import { when } from '../ui/when.js';

/** The events worth a line: a status change that is a reopening shows once, as the reopening. */
export function shown(events: ActivityView[]): ActivityView[] {
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
