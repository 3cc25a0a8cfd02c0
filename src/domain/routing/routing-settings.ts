/**
 * Automatic assignment's settings (`GET`/`PUT /api/v1/settings/routing`): `off` leaves hand-overs
 * in Waiting for someone to take (Finch before routing); `balanced` gives each to the online agent
 * with the fewest open conversations; `round_robin` to the online agent routed to least recently,
 * among those with room. `capacity`: open conversations routing may give an agent (an agent's own
 * capacity overrides it). `reassignWhenAway`: an away agent's open conversations go back to
 * Waiting, to be routed to someone else (docs/decisions.md, "Routing").
 */
export type RoutingMode = 'off' | 'balanced' | 'round_robin';

export interface RoutingSettings {
  mode: RoutingMode;
  capacity: number;
  reassignWhenAway: boolean;
}

export const DEFAULT_ROUTING: RoutingSettings = { mode: 'off', capacity: 5, reassignWhenAway: false };

/** The most open conversations a capacity may allow (the team's default or an agent's own). */
export const MAX_CAPACITY = 1000;

/** The handover reason of a conversation routing took back from an away agent. */
export const AGENT_AWAY = 'agent_away';
