/**
 * Presence as the inbox reads it: the agent's own (the top bar's toggle), and who else is on a
 * conversation (collision), which only the live stream says (live.ts puts each `collision` event
 * under `keys.collision(id)`; nothing is fetched for it).
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { CollisionEvent } from '../../../src/contract/presence.js';
import { getMyPresence, getPresenceSettings } from '../api/presence.js';
import { keys } from './keys.js';

export type Collision = Pick<CollisionEvent, 'viewers' | 'typing'>;
const NOBODY: Collision = { viewers: [], typing: [] };

export const useMyPresence = () => useQuery({ queryKey: keys.presence, queryFn: getMyPresence });
export const usePresenceSettings = () => useQuery({ queryKey: [...keys.presence, 'settings'], queryFn: getPresenceSettings });

/** Who else views the conversation and who types in it, as the last `collision` event said (nobody until one came). */
export function useCollision(conversationId: string): Collision {
  const client = useQueryClient();
  const { data } = useQuery({
    queryKey: keys.collision(conversationId),
    queryFn: () => client.getQueryData<Collision>(keys.collision(conversationId)) ?? NOBODY,
    staleTime: Number.POSITIVE_INFINITY,
  });
  return data ?? NOBODY;
}
