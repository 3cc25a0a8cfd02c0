/** What the admin area shows: tokens, OAuth clients, Fin's settings and the delivery log. */
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { getFinSettings, getSignatureReport, listClients, listDeliveries, listTokens } from '../api/admin.js';
import { keys } from './keys.js';

export const useTokens = () => useQuery({ queryKey: keys.tokens, queryFn: listTokens });
export const useClients = () => useQuery({ queryKey: keys.clients, queryFn: listClients });
export const useFinSettings = () => useQuery({ queryKey: keys.finSettings, queryFn: getFinSettings });
/** Under the Fin settings' key, so that whatever makes those stale makes this stale too. */
export const useSignatureReport = () => useQuery({ queryKey: keys.signatureReport, queryFn: getSignatureReport });

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
