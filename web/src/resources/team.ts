/** The team's agents and canned replies: read by the conversation screen, managed on their own pages. */
import { useQuery } from '@tanstack/react-query';
import { listAgents } from '../api/agents.js';
import { listCannedReplies } from '../api/canned-replies.js';
import { keys } from './keys.js';

export const useAgents = () => useQuery({ queryKey: keys.agents, queryFn: listAgents });
export const useCannedReplies = () => useQuery({ queryKey: keys.cannedReplies, queryFn: listCannedReplies });
