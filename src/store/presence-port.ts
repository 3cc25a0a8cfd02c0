/** Presence, shared through the database so that every node sees every agent's (domain/presence/). */
import type { PresenceStatus } from '../domain/presence/presence.js';

export interface PresenceStore {
  /** Each active human agent's presence at `now` (ISO), by agent id. */
  presenceOf(now: string): Promise<Map<string, PresenceStatus>>;
}
