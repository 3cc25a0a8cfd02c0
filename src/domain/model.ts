/**
 * The helpdesk's own objects, independent of how either API variant spells them on the wire.
 * Timestamps are ISO 8601 UTC strings with milliseconds.
 */
import type { ConversationStatus, Visibility } from '../contract/models.js';

export type { ConversationStatus, Visibility };

export type Attributes = Record<string, unknown>;

export interface EndUser {
  id: string;
  /** Intercom's id for the user, when Fin created it. */
  objectId: string | null;
  name: string | null;
  email: string | null;
  photoUrl: string | null;
  attributes: Attributes;
  createdAt: string;
  updatedAt: string;
}

export type AgentRole = 'admin' | 'agent';

export interface Agent {
  id: string;
  name: string;
  email: string;
  /** Shown to end-users instead of the real name. */
  alias: string | null;
  photoUrl: string | null;
  role: AgentRole;
  /** The agent that represents Fin: exactly one exists. */
  isFin: boolean;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Conversation {
  id: string;
  objectId: string | null;
  status: ConversationStatus;
  user: EndUser;
  /** null after a handover, until a human takes it. */
  assignee: Agent | null;
  title: string | null;
  tags: string[];
  attributes: Attributes;
  lastUserReadAt: string | null;
  /** When the assignee last changed (a handed-over conversation has waited since then). */
  assignedAt: string;
  /** Set while Finch could not tell Fin about a change to it ("not synced with Fin"). */
  finSyncFailedAt: string | null;
  /** Why it went to people without Fin handing it over, e.g. `fin_unreachable`. */
  handoverReason: string | null;
  /**
   * Set when an end-user message arrived while a person held it, until that person opens it:
   * the time of the first such message.
   */
  unreadAt: string | null;
  /** Which fields people changed and what Fin has read since (domain/people-edits.ts); null when none. */
  peopleEdits: PeopleEdits | null;
  /**
   * Service levels (domain/sla/): when it was handed to people, until the first human reply (the
   * SLA clock's start, kept whether or not a target is set); when that reply is due and when
   * resolving is due (counted in business hours; null without a target, or once met); when a
   * target was first missed.
   */
  handedOverAt: string | null;
  replyDueAt: string | null;
  resolveDueAt: string | null;
  slaBreachedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * The record that keeps Fin's updates from undoing people's (domain/people-edits.ts). `rev`
 * counts people's changes to the conversation; `finRead` is the `rev` Fin last read (Get
 * Conversation, Get Messages). A field entry says at which `rev` people last changed it and a
 * fingerprint of the value it had before people first changed it (`was`): Fin sending that value
 * again repeats its old state rather than changing its mind.
 */
export interface PeopleEdits {
  rev: number;
  finRead: number;
  title?: FieldEdit;
  status?: FieldEdit;
  /** By attribute key. */
  attributes?: Record<string, FieldEdit>;
  /** Tags people added, by tag, with the rev: Fin never removes them. */
  tagsAdded?: Record<string, number>;
  /** Tags people removed, by tag, with the rev: Fin does not put them back while it repeats them. */
  tagsRemoved?: Record<string, number>;
}

export interface FieldEdit {
  rev: number;
  /** A fingerprint of the value before people changed it (domain/people-edits.ts `fingerprint`). */
  was: string;
}

export interface Attachment {
  url: string;
  filetype: string;
  filename: string;
}

export type Author = { type: 'end_user'; user: EndUser } | { type: 'agent'; agent: Agent };

export interface Message {
  id: string;
  objectId: string | null;
  conversationId: string;
  /** Sanitized HTML; null for an attachment-only message. */
  body: string | null;
  author: Author;
  visibility: Visibility;
  attachments: Attachment[];
  createdAt: string;
}

/** A human agent is any agent but the one that represents Fin. */
export function isHuman(agent: Agent | null): boolean {
  return agent !== null && !agent.isFin;
}

/**
 * A person holds the conversation: its assignee is a human agent who is still active. A
 * deactivated assignee holds nothing (they can never answer), so Fin's handover and the
 * customer's return are not blocked by them (docs/decisions.md, "Human takeover wins").
 */
export function heldByPerson(agent: Agent | null): boolean {
  return agent !== null && !agent.isFin && agent.active;
}
