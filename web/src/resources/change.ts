/** Changes go through here: do it, then read again what it touched. */
import { useMutation, useQueryClient, type QueryKey, type UseQueryResult } from '@tanstack/react-query';
import { useCallback } from 'react';
import { invalidate } from './invalidation.js';

/** `invalidate` for a component: `reread(keys.conversation(id))`. */
export function useReread(): (...touched: QueryKey[]) => Promise<void> {
  const client = useQueryClient();
  return useCallback((...touched: QueryKey[]) => invalidate(client, touched), [client]);
}

/**
 * An agent's change, then a fresh read of the resources it touched: `run(action)` resolves true
 * once the action succeeded and they were read again, false when it failed, and `error` says why
 * (in the agent's words, api/problems.ts) until the next change starts.
 */
export function useChange(...touched: QueryKey[]): { run: (action: () => Promise<unknown>) => Promise<boolean>; error: string | null } {
  const client = useQueryClient();
  const { mutateAsync, error } = useMutation({
    mutationFn: (action: () => Promise<unknown>) => action(),
    onSuccess: () => invalidate(client, touched),
  });
  const run = useCallback(
    (action: () => Promise<unknown>) =>
      mutateAsync(action).then(
        () => true,
        () => false,
      ),
    [mutateAsync],
  );
  return { run, error: error?.message ?? null };
}

/**
 * A screen's resource and the changes it makes: the data read, `run` for a change that re-reads
 * what `touched` names, and the error to show (the last change's, else the read's).
 */
export function useEditable<T>(read: Pick<UseQueryResult<T>, 'data' | 'error'>, ...touched: QueryKey[]) {
  const change = useChange(...touched);
  return { data: read.data, run: change.run, error: change.error ?? read.error?.message ?? null };
}
