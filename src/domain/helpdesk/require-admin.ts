import { forbidden } from '../errors.js';
import type { Agent } from '../model.js';

/** Throws `FinError` `forbidden` (403) unless the agent is an admin: the rule of every admin-only use case. */
export function requireAdmin(agent: Agent): void {
  if (agent.role !== 'admin') throw forbidden('Only an admin may do this.');
}
