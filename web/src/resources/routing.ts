/** Automatic assignment's settings: read by Admin → Routing and by Admin → Agents (the default capacity). */
import { useQuery } from '@tanstack/react-query';
import { getRouting } from '../api/routing.js';
import { keys } from './keys.js';

export const useRouting = () => useQuery({ queryKey: keys.routing, queryFn: getRouting });
