/** An agent as Get Agents returns it, in either variant (`alias` or `alias_name`). */
export interface AgentPayload {
  id: string;
  name?: string | null;
  email?: string | null;
  alias?: string | null;
  alias_name?: string | null;
}

/**
 * The agent that represents Fin among those Get Agents returned, as Fin's settings pick it: the one
 * configured, else one named "Fin" or with a `fin@` address, else the first. Undefined when there
 * is no agent at all.
 */
export function pickFinAgent<A extends AgentPayload>(agents: readonly A[], wanted?: string): A | undefined {
  return (
    agents.find((agent) => agent.id === wanted) ??
    agents.find((agent) => agent.name?.toLowerCase() === 'fin') ??
    agents.find((agent) => agent.email?.toLowerCase().startsWith('fin@')) ??
    agents[0]
  );
}
