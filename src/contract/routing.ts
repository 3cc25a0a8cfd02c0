/** The agent API's automatic assignment: its settings (`GET`/`PUT /api/v1/settings/routing`). */
import Type, { type Static } from 'typebox';

export const RoutingSettingsBody = Type.Object(
  {
    mode: Type.Union([Type.Literal('off'), Type.Literal('balanced'), Type.Literal('round_robin')], {
      description:
        'off: hand-overs wait in Waiting for someone to take them; balanced: each goes to the online agent with the fewest open conversations; round_robin: to the online agent routed to least recently (both only to agents below their capacity)',
    }),
    capacity: Type.Integer({
      minimum: 0,
      maximum: 1000,
      description: "Open conversations routing may give an agent, unless the agent's own capacity (PATCH /agents/{id}) says otherwise",
    }),
    reassign_when_away: Type.Boolean({
      description: "An away agent's open conversations go back to Waiting and are routed to someone online (an agent with no inbox open is not away)",
    }),
  },
  { additionalProperties: false },
);
export type RoutingSettingsBody = Static<typeof RoutingSettingsBody>;
