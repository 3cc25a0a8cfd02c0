/**
 * Automatic assignment's settings (`GET`/`PUT /api/v1/settings/routing`): `off` leaves hand-overs
 * in Waiting for someone to take; `balanced` gives each to the online agent with the fewest open
 * conversations; `round_robin` to the online agent whose turn it is. `capacity`: open conversations
 * routing may give an agent (an agent's own capacity overrides it). `reassignWhenAway`: an away
 * agent's open conversations go back to Waiting.
 */
export type RoutingMode = 'off' | 'balanced' | 'round_robin';

export interface RoutingSettings {
  mode: RoutingMode;
  capacity: number;
  reassignWhenAway: boolean;
}

export const DEFAULT_ROUTING: RoutingSettings = { mode: 'off', capacity: 5, reassignWhenAway: false };
