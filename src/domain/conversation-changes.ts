import type { ConversationChanges } from '../store/port.js';
import { mergeAttributes, sameJson } from './attributes.js';
import type { Attributes, Conversation, ConversationStatus } from './model.js';

/** The fields of a conversation that both Fin and agents edit the same way. */
export interface ConversationFieldsInput {
  title?: string | null | undefined;
  status?: ConversationStatus | undefined;
  /** Replaces the set; null clears it. */
  tags?: readonly string[] | null | undefined;
  /** Merged key by key (null removes a key); null clears them all. */
  attributes?: Attributes | null | undefined;
}

/** What the input changes on the conversation, leaving out what would stay the same. */
export function fieldChanges(current: Conversation, input: ConversationFieldsInput): ConversationChanges {
  const changes: ConversationChanges = {};
  if (input.title !== undefined && input.title !== current.title) changes.title = input.title;
  if (input.status !== undefined && input.status !== current.status) changes.status = input.status;
  if (input.tags !== undefined) {
    const tags = normalizeTags(input.tags);
    if (!sameJson(tags, current.tags)) changes.tags = tags;
  }
  const attributes = mergeAttributes(current.attributes, input.attributes);
  if (attributes !== undefined && !sameJson(attributes, current.attributes)) changes.attributes = attributes;
  return changes;
}

/** Tags are a set: blanks and repeats are dropped, first occurrence order kept. */
export function normalizeTags(tags: readonly string[] | null): string[] {
  return [...new Set((tags ?? []).map((tag) => tag.trim()).filter((tag) => tag !== ''))];
}

/**
 * Assigns the conversation in `changes` unless it already is, and drops a stale handover reason:
 * the reason describes how the conversation reached its current assignee.
 */
export function assign(changes: ConversationChanges, current: Conversation, assigneeId: string | null): ConversationChanges {
  if ((current.assignee?.id ?? null) === assigneeId) return changes;
  return { ...changes, assigneeId, ...(current.handoverReason === null ? {} : { handoverReason: null }) };
}
