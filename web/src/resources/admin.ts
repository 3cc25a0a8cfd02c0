/** What the admin area shows: tokens, OAuth clients, Fin's settings and the delivery log. */
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { getFinSettings, listClients, listDeliveries, listTokens } from '../api/admin.js';
import { keys } from './keys.js';

export const useTokens = () => useQuery({ queryKey: keys.tokens, queryFn: listTokens });
export const useClients = () => useQuery({ queryKey: keys.clients, queryFn: listClients });
export const useFinSettings = () => useQuery({ queryKey: keys.finSettings, queryFn: getFinSettings });

/** The delivery log, newest first, filtered by outcome ('' for any); older pages on request. Like the
 * conversation lists, another filter's rows replace the shown ones when they arrive. */
export function useDeliveryLog(outcome: string) {
  return useInfiniteQuery({
    queryKey: keys.deliveryLog(outcome),
    queryFn: ({ pageParam }) => listDeliveries({ cursor: pageParam, ...(outcome ? { outcome } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
    placeholderData: keepPreviousData,
  });
}
