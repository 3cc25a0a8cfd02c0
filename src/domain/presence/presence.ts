/**
 * Presence: whether an agent is around. `online` and `away` are what the agent chose (or their
 * inbox chose for them after it saw them idle) while an inbox of theirs is connected; `offline`
 * is having none connected, on any node.
 */
export type PresenceStatus = 'online' | 'away' | 'offline';

/** What an agent may set (`PUT /api/v1/me/presence`). */
export type ChosenPresence = Exclude<PresenceStatus, 'offline'>;
