/** The team's agents: listed for every agent (assigning), changed by admins. */
import type { NewAgentInput } from '../../../src/contract/agent-api.js';
import { request } from './client.js';
import type { AgentView } from './types.js';

export const listAgents = () => request<AgentView[]>('GET', '/agents');
export const createAgent = (input: NewAgentInput) => request<{ agent: AgentView; password?: string }>('POST', '/agents', input);
export const patchAgent = (id: string, patch: Record<string, unknown>) => request<AgentView>('PATCH', `/agents/${encodeURIComponent(id)}`, patch);
