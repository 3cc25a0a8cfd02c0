/**
 * Presence: whether an agent is around. `online` and `away` are what the agent chose (or their
 * inbox chose for them after it saw them idle) while an inbox of theirs is connected; `offline`
 * is having none connected, on any node (issue 12, item 1; docs/decisions.md, "Presence").
 *
 * An open inbox is its live event stream (`GET /api/v1/events`): one `agent_connections` row per
 * stream, renewed while it is open, deleted when it closes; a crashed node's rows expire.
 */
export type PresenceStatus = 'online' | 'away' | 'offline';

/** What an agent may set (`PUT /api/v1/me/presence`). */
export type ChosenPresence = Exclude<PresenceStatus, 'offline'>;

/** How long a connection row counts as live without being renewed (ms): what a crashed node leaves behind lasts this long. */
export const CONNECTION_TTL_MS = 60_000;
/** How often a node renews its open connections (ms): a third of their lifetime, so one missed renewal loses nothing. */
export const CONNECTION_RENEW_MS = 20_000;
/** An agent stops counting as typing this long after their last typing call (ms); the composer calls every 3 s while typing. */
export const TYPING_FADE_MS = 6_000;

/** The team's presence settings (`GET`/`PUT /api/v1/settings/presence`). */
export interface PresenceSettings {
  /** Idle minutes (no input, or the tab hidden) after which the inbox sets its agent away by itself; 0: never. */
  awayAfterMinutes: number;
}

export const DEFAULT_PRESENCE_SETTINGS: PresenceSettings = { awayAfterMinutes: 10 };
/** The longest idle time that may be set: a day. */
export const MAX_AWAY_AFTER_MINUTES = 1440;

/** An agent's presence as they see it: what it is, what they chose, and whether the inbox chose it for them. */
export interface AgentPresence {
  status: PresenceStatus;
  chosen: ChosenPresence;
  /** The inbox set `chosen` because it saw them idle (it returns them online on activity); false when they chose it. */
  automatic: boolean;
}

/** What the team list shows of each agent. */
export interface TeamMemberStatus {
  presence: PresenceStatus;
  openConversations: number;
  /** null: the routing default. */
  capacity: number | null;
}

/** Someone on a conversation (collision detection, issue 12, item 3). */
export interface Colleague {
  id: string;
  name: string;
}

/** Who is on a conversation right now: every live connection viewing it, with its agent and when they last typed there. */
export interface ConversationWatcher {
  connectionId: string;
  agentId: string;
  name: string;
  typingAt: string | null;
}

/**
 * What changed, announced to every node (PostgreSQL NOTIFY `finch_presence`; in this process on
 * SQLite): the team's presence, or who is on one conversation.
 */
export type PresenceSignal = { team: true } | { conversationId: string };

/**
 * Who else is on a conversation, as one agent's inbox is told: other agents viewing it, and of
 * them those who typed within the fade time. An agent with several inboxes on it counts once.
 */
export function othersOn(watchers: readonly ConversationWatcher[], viewerId: string, now: Date): { viewers: Colleague[]; typing: Colleague[] } {
  const viewers = new Map<string, Colleague>();
  const typing = new Map<string, Colleague>();
  for (const watcher of watchers) {
    if (watcher.agentId === viewerId) continue;
    const colleague = { id: watcher.agentId, name: watcher.name };
    viewers.set(watcher.agentId, colleague);
    if (isTyping(watcher, now)) typing.set(watcher.agentId, colleague);
  }
  return { viewers: [...viewers.values()], typing: [...typing.values()] };
}

export function isTyping(watcher: Pick<ConversationWatcher, 'typingAt'>, now: Date): boolean {
  return watcher.typingAt !== null && now.getTime() - Date.parse(watcher.typingAt) < TYPING_FADE_MS;
}

/** When the earliest typing among `watchers` fades, if anyone types (ms since the epoch). */
export function nextTypingFade(watchers: readonly ConversationWatcher[], now: Date): number | undefined {
  const fades = watchers.filter((watcher) => isTyping(watcher, now)).map((watcher) => Date.parse(watcher.typingAt!) + TYPING_FADE_MS);
  return fades.length === 0 ? undefined : Math.min(...fades);
}
