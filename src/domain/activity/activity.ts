/**
 * A conversation's activity: what happened to it, when, and who did it, one event at a time,
 * appended in the transaction of the change it records and never changed afterwards. The inbox
 * shows it as a timeline; reports are computed from it (docs/decisions.md, "Activity").
 */

/** Who did it: Fin, an agent, the end-user, or Finch itself (routing, the fail-safe, the SLA clock). */
export interface ActivityActor {
  type: 'fin' | 'agent' | 'end_user' | 'system';
  /** The agent's or end-user's id; null for Fin and the system. */
  id: string | null;
}

/** How an assignment came about. */
export type AssignmentHow = 'manual' | 'automatic' | 'return' | 'fin';

/** Each kind of event and its details (the JSON stored with it, in camelCase here, snake_case on the wire). */
export interface ActivityDetails {
  /** The conversation began (Fin created it). */
  created: Record<string, never>;
  /** It entered Waiting: handed to people with nobody assigned. `reason`: null for Fin's own hand-over, else e.g. `fin_unreachable`, `customer_returned`, `agent_deactivated`, `agent_away`. */
  handed_over: { reason: string | null };
  /** It was given to someone (a person or the Fin agent). */
  assigned: { assigneeId: string; previousAssigneeId: string | null; how: AssignmentHow };
  /** Nobody holds it any more without it entering Waiting (it was not open). */
  unassigned: { previousAssigneeId: string };
  /** The first public reply by a person since the hand-over. */
  first_human_reply: { agentId: string; messageId: string };
  /** The end-user wrote while a person held it. */
  customer_replied: { messageId: string };
  status_changed: { from: string; to: string };
  /** A resolved, closed or ended conversation opened again. */
  reopened: { from: string };
  /** An SLA target will be missed soon unless someone acts (notifications warn of it). */
  sla_due_soon: { target: 'first_reply' | 'resolution'; dueAt: string };
  /** An SLA target was missed. */
  sla_breached: { target: 'first_reply' | 'resolution'; dueAt: string };
}

export type ActivityKind = keyof ActivityDetails;

export type ActivityEvent<K extends ActivityKind = ActivityKind> = {
  [Kind in K]: { conversationId: string; at: string; kind: Kind; actor: ActivityActor; details: ActivityDetails[Kind] };
}[K];

/** A recorded event: the event and its id (time-ordered). */
export type ActivityEntry = ActivityEvent & { id: string };

export const FIN_ACTOR: ActivityActor = { type: 'fin', id: null };
export const SYSTEM_ACTOR: ActivityActor = { type: 'system', id: null };
export const agentActor = (agentId: string): ActivityActor => ({ type: 'agent', id: agentId });
