/**
 * Fin's updates never undo people's changes (docs/decisions.md, "No stale overwrite"). Fin's
 * end-of-sync Update Conversation repeats the state Fin derived from what it last read, which may
 * be older than a person's latest edit. So each conversation keeps a small record (`PeopleEdits`,
 * model.ts) of the fields people changed (title, status, each attribute key, each tag added or
 * removed), at which revision (`rev` counts people's changes), the value each field had before
 * people first changed it (`was`, a fingerprint), and the revision Fin last read (`finRead`, Get
 * Conversation). A field people changed changes by Fin's update only when Fin read the
 * conversation after that change (`rev <= finRead`) and Fin's value is not the one people replaced
 * (`was`: Fin repeating its old state is not Fin changing its mind); a field Fin then changes is
 * Fin's again (its entry goes). Tags people added are never removed by Fin. While a person holds
 * the conversation Fin's update leaves its status alone, as it leaves the assignee
 * (assignment.ts). A refused field is not an error; when Fin had not read people's latest change,
 * Fin is told to pull again (a sync event), once per change it missed, so no loop can start.
 */
import { createHash } from 'node:crypto';
import type { ConversationChanges } from '../store/port.js';
import { sameJson } from './attributes.js';
import { normalizeTags, type ConversationFieldsInput } from './conversation-changes.js';
import { heldByPerson, type Attributes, type Conversation, type FieldEdit, type PeopleEdits } from './model.js';

/** A short fingerprint of a JSON value (keys in any order are the same value): 16 hex digits of SHA-256. */
export function fingerprint(value: unknown): string {
  return createHash('sha256')
    .update(canonical(value ?? null))
    .digest('hex')
    .slice(0, 16);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Attributes)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const copy = (edits: PeopleEdits | null): PeopleEdits => structuredClone(edits ?? { rev: 0, finRead: 0 });

/**
 * People (an agent, or the helpdesk's own routing) make `changes`: the record to write with them,
 * or `undefined` when they touch nothing Fin's updates are judged by (title, status, tags,
 * attributes, assignee).
 */
export function recordPeopleChanges(
  current: Conversation,
  changes: ConversationChanges,
  options: { reopenedByCustomer?: boolean } = {},
): PeopleEdits | undefined {
  const { title, status, tags, attributes, assigneeId } = changes;
  if (title === undefined && status === undefined && tags === undefined && attributes === undefined && assigneeId === undefined) return undefined;
  const edits = copy(current.peopleEdits);
  const rev = ++edits.rev;
  const edit = (previous: FieldEdit | undefined, before: unknown): FieldEdit => ({ rev, was: previous?.was ?? fingerprint(before) });
  if (title !== undefined) edits.title = edit(edits.title, current.title);
  // The customer reopening a finished conversation replaces no value of Fin's: Fin must read the
  // return before it changes the status (a stale "resolved" would close it over the customer's new
  // message), but then may resolve it again, so the finished status is not remembered as a value
  // Fin would only be repeating.
  if (status !== undefined) edits.status = options.reopenedByCustomer ? { rev, was: fingerprint(status) } : edit(edits.status, current.status);
  if (attributes !== undefined) {
    const byKey = (edits.attributes ??= {});
    for (const key of new Set([...Object.keys(current.attributes), ...Object.keys(attributes)])) {
      if (!sameJson(current.attributes[key] ?? null, attributes[key] ?? null)) byKey[key] = edit(byKey[key], current.attributes[key]);
    }
  }
  if (tags !== undefined) {
    const added = (edits.tagsAdded ??= {});
    const removed = (edits.tagsRemoved ??= {});
    for (const tag of tags.filter((tag) => !current.tags.includes(tag))) {
      added[tag] = rev;
      delete removed[tag];
    }
    for (const tag of current.tags.filter((tag) => !tags.includes(tag))) {
      removed[tag] = rev;
      delete added[tag];
    }
  }
  return edits;
}

/**
 * Fin read the conversation as `seen`: the record to write under lock over `current` (the
 * record now), or `undefined` when there is nothing to write, which is always so while people
 * changed nothing since Fin's last read (the common case: a read stays one statement).
 */
export function afterFinRead(seen: PeopleEdits | null, current: PeopleEdits | null): PeopleEdits | undefined {
  if (seen === null || current === null || seen.rev <= current.finRead) return undefined;
  return { ...current, finRead: seen.rev };
}

/** Whether Fin has not read the conversation since people last changed it. */
export function finBehind(conversation: Conversation): boolean {
  const edits = conversation.peopleEdits;
  return edits !== null && edits.rev > edits.finRead;
}

export interface GuardedUpdate {
  /** Fin's fields, less those it may not change. */
  input: ConversationFieldsInput;
  /** The record to write with Fin's changes (entries of the fields Fin took back), when it changed. */
  edits: PeopleEdits | undefined;
  /** Part of Fin's update was refused and Fin had not read people's latest change: tell Fin to pull again. */
  notify: boolean;
}

/** Fin's update of title, status, tags and attributes, judged against what people changed (see the module's comment). */
export function guardFinUpdate(current: Conversation, input: ConversationFieldsInput): GuardedUpdate {
  const edits = copy(current.peopleEdits);
  let refused = false;
  let taken = false;
  /** Whether Fin may set a field people changed (`entry`) to `value`; a field Fin may set is Fin's again. */
  const may = (entry: FieldEdit | undefined, value: unknown, same: boolean): boolean => {
    if (entry === undefined || same) return true;
    if (entry.rev > edits.finRead || fingerprint(value) === entry.was) {
      refused = true;
      return false;
    }
    taken = true;
    return true;
  };

  const guarded: ConversationFieldsInput = {};
  if (input.title !== undefined && may(edits.title, input.title, input.title === current.title)) {
    guarded.title = input.title;
    if (input.title !== current.title) delete edits.title;
  }
  if (input.status !== undefined) {
    const same = input.status === current.status;
    if (!same && heldByPerson(current.assignee)) refused = true;
    else if (may(edits.status, input.status, same)) {
      guarded.status = input.status;
      if (!same) delete edits.status;
    }
  }
  if (input.attributes !== undefined) guarded.attributes = guardAttributes(current.attributes, input.attributes, edits, may);
  if (input.tags !== undefined) {
    const { tags, changed } = guardTags(current.tags, input.tags, edits);
    guarded.tags = tags;
    if (changed.refused) refused = true;
    if (changed.taken) taken = true;
  }
  return { input: guarded, edits: taken ? edits : undefined, notify: refused && finBehind(current) };
}

/** Attributes Fin may merge: a key people changed only as `may` allows; `null` (clear all) is each key set to null. */
function guardAttributes(
  current: Attributes,
  input: Attributes | null,
  edits: PeopleEdits,
  may: (entry: FieldEdit | undefined, value: unknown, same: boolean) => boolean,
): Attributes | null {
  const protectedKeys = edits.attributes ?? {};
  const asked = input ?? Object.fromEntries(Object.keys(current).map((key) => [key, null]));
  const allowed: Attributes = {};
  let all = true;
  for (const [key, value] of Object.entries(asked)) {
    if (may(protectedKeys[key], value, sameJson(current[key] ?? null, value ?? null))) {
      allowed[key] = value;
      if (!sameJson(current[key] ?? null, value ?? null)) delete protectedKeys[key];
    } else all = false;
  }
  return input === null && all ? null : allowed;
}

/**
 * Tags Fin may set: Fin's set, less the tags people removed after Fin's last read, plus every tag
 * people added (never removed by Fin). A removed tag Fin puts back after reading is Fin's again.
 */
function guardTags(current: string[], input: readonly string[] | null, edits: PeopleEdits): { tags: string[]; changed: { refused: boolean; taken: boolean } } {
  const asked = normalizeTags(input);
  const added = edits.tagsAdded ?? {};
  const removed = edits.tagsRemoved ?? {};
  let refused = false;
  let taken = false;
  const tags = asked.filter((tag) => {
    const at = removed[tag];
    if (at === undefined || current.includes(tag)) return true;
    if (at > edits.finRead) {
      refused = true;
      return false;
    }
    delete removed[tag];
    taken = true;
    return true;
  });
  for (const tag of current) {
    if (added[tag] !== undefined && !tags.includes(tag)) {
      tags.push(tag);
      refused = true;
    }
  }
  return { tags, changed: { refused, taken } };
}

/** `changes` with the record of people's change in them (when it is one Fin's updates are judged by). */
export function withPeopleEdits(current: Conversation, changes: ConversationChanges, options: { reopenedByCustomer?: boolean } = {}): ConversationChanges {
  const edits = recordPeopleChanges(current, changes, options);
  return edits === undefined ? changes : { ...changes, peopleEdits: edits };
}
