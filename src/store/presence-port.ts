/**
 * Presence and collision detection, shared through the database so that every node sees every
 * agent's (domain/presence/). Reads and writes work over the database or inside a unit of work
 * (`HelpdeskTransaction.presence`); `announce` and `subscribe` only over the database (after the
 * commit of what they announce).
 */
import type {
  AgentPresence,
  ChosenPresence,
  ConversationWatcher,
  PresenceSettings,
  PresenceSignal,
  PresenceStatus,
  TeamMemberStatus,
} from '../domain/presence/presence.js';

export interface NewConnection {
  id: string;
  agentId: string;
  /** The process serving it. */
  node: string;
  at: string;
  expiresAt: string;
}

/** A connection that ended: whose it was and the conversation its inbox showed. */
export interface EndedConnection {
  agentId: string;
  viewing: string | null;
}

export interface PresenceStore {
  /** Each active human agent's presence at `now` (ISO), by agent id. */
  presenceOf(now: string): Promise<Map<string, PresenceStatus>>;
  /** One agent's presence at `now`; undefined for no such agent. */
  presenceOfAgent(agentId: string, now: string): Promise<AgentPresence | undefined>;
  /** Every agent's presence, open conversations and capacity at `now`, by agent id. */
  teamStatus(now: string): Promise<Map<string, TeamMemberStatus>>;
  /** Sets what the agent chose (and whether their inbox chose it for them). */
  writeChosen(agentId: string, chosen: ChosenPresence, automatic: boolean, at: string): Promise<void>;

  /** The agent's connections live at `now`. */
  liveConnections(agentId: string, now: string): Promise<number>;
  openConnection(connection: NewConnection): Promise<void>;
  /** Moves the connections' expiry; answers the ids that still existed (the others were ended elsewhere). */
  renewConnections(ids: readonly string[], seenAt: string, expiresAt: string): Promise<string[]>;
  /** Deletes the connections; answers what they were. */
  closeConnections(ids: readonly string[]): Promise<EndedConnection[]>;
  /** Deletes connections expired at `now` (their node died); answers what they were. */
  endExpiredConnections(now: string): Promise<EndedConnection[]>;
  /**
   * Sets which conversation the agent's live connection shows. Answers the conversation it showed
   * before, or undefined when the agent has no such live connection.
   */
  setViewing(connectionId: string, agentId: string, conversationId: string | null, now: string): Promise<{ previous: string | null } | undefined>;
  /** The agent typed in the conversation: every live connection of theirs viewing it notes the time. Answers how many did. */
  markTyping(agentId: string, conversationId: string, at: string): Promise<number>;
  /** Every live connection viewing the conversation at `now`, with its agent. */
  watchersOf(conversationId: string, now: string): Promise<ConversationWatcher[]>;

  getPresenceSettings(): Promise<PresenceSettings>;
  putPresenceSettings(settings: PresenceSettings, at: string): Promise<void>;

  /** Tells every node (after the commit of what changed): the team's presence changed, or who is on a conversation. */
  announce(signals: readonly PresenceSignal[]): Promise<void>;
  /**
   * Calls `onSignals` with what every node announces until the returned function is called;
   * `onMissed` when signals may have been lost (the listening connection came back, another
   * process wrote the SQLite file). Resolves once listening.
   */
  subscribe(onSignals: (signals: PresenceSignal[]) => void, onMissed: () => void): Promise<() => Promise<void>>;
}
