import type { FinContext } from '../context.js';
import type { Agent } from '../model.js';

/** All active agents; Fin reads them once, at setup, to pick the agent that represents it. */
export function getAgents(ctx: FinContext): Promise<Agent[]> {
  return ctx.store.listAgents();
}
