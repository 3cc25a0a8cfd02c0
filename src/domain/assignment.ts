import { heldByPerson, type Agent } from './model.js';

/**
 * The assignee an Update Conversation from Fin leads to (spec §4, "human takeover wins"): while a
 * human agent holds the conversation, Fin's `assignee_id` is ignored, `null` included, because Fin
 * repeats its last known state at the end of every sync and must never pull a conversation away
 * from the person working on it. A deactivated human holds nothing (`heldByPerson`). Otherwise `null` hands over (nobody assigned) and an agent id
 * assigns that agent.
 *
 * Returns the new assignee id, or `undefined` when the assignee stays as it is.
 */
export function assigneeAfterFinUpdate(current: Agent | null, requested: Agent | null | undefined): string | null | undefined {
  if (requested === undefined || heldByPerson(current)) return undefined;
  const next: string | null = requested?.id ?? null;
  return next === (current?.id ?? null) ? undefined : next;
}
