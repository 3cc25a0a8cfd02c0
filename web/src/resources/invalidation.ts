/**
 * What goes stale when something changes. A change an agent makes names what it touched
 * (change.ts); a live change (live.ts) names conversations, or says that changes may have been
 * missed. Free of React, so the rule can be checked on a bare query cache.
 */
import { keys } from './keys.js';

/** A live change: the conversations it names, or 'all' when changes may have been missed (a reconnect). */
export type LiveChange = string[] | 'all';

/** The part of a query cache that marks entries stale (TanStack Query's QueryClient). */
export interface Invalidates {
  invalidateQueries(filters?: { queryKey: readonly unknown[] }): Promise<void>;
}

/** Marks what `touched` names (keys are prefixes) as stale, reading again at once what a screen shows; resolves once read. */
export async function invalidate(client: Invalidates, touched: readonly (readonly unknown[])[]): Promise<void> {
  await Promise.all(touched.map((queryKey) => client.invalidateQueries({ queryKey })));
}

/** What a live change makes stale: the conversations it names and every list and count, or everything. */
export function invalidateNamed(client: Invalidates, change: LiveChange): Promise<void> {
  if (change === 'all') return client.invalidateQueries();
  return invalidate(client, [keys.counts, keys.conversationLists, ...change.map((id) => keys.conversation(id))]);
}
