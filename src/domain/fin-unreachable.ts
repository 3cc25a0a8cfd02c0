/**
 * What Fin being unreachable too long does to the conversations it holds (the fail-safe,
 * docs/decisions.md): each open one still with the Fin agent goes to people (Waiting, handover
 * reason `fin_unreachable`), with a sync event so that Fin hears of the handover once it is back,
 * and its activity (`handed_over`, by Finch itself) recorded with what it means (SLA clock,
 * notifications), each in the unit of work of its batch.
 */
import type { FailSafeStore, UnitOfWork } from '../store/helpdesk-port.js';
import { SYSTEM_ACTOR } from './activity/activity.js';
import { activityBetween } from './activity/activity-between.js';
import { recordActivity } from './activity/record-activity.js';
import { assign } from './conversation-changes.js';

/** The handover reason of a conversation the fail-safe gave to people. */
export const FIN_UNREACHABLE = 'fin_unreachable';

/**
 * Conversations handed over per transaction: a batch is one live change for the inbox, and the
 * write lock (SQLite's is the whole database) is never held for thousands of them at once.
 */
export const FAIL_SAFE_BATCH = 100;

/**
 * Hands the candidates (ids) over to people at `at`, `FAIL_SAFE_BATCH` per transaction. Each is
 * locked and checked again first: one that is no longer open or no longer Fin's (an agent took it,
 * Fin handed it over, a concurrent fail-safe routed it) is left alone, so every conversation is
 * routed once. Returns the ids routed, sorted.
 */
export async function handOverFromUnreachableFin(store: Pick<UnitOfWork, 'transaction'>, candidates: readonly string[], at: string): Promise<string[]> {
  // Locked in id order, so two transactions locking several of them cannot deadlock.
  const ids = [...new Set(candidates)].sort();
  const routed: string[] = [];
  for (let start = 0; start < ids.length; start += FAIL_SAFE_BATCH) {
    const batch = ids.slice(start, start + FAIL_SAFE_BATCH);
    routed.push(
      ...(await store.transaction(async (tx) => {
        const done: string[] = [];
        for (const id of batch) {
          const current = await tx.lockConversation(id);
          if (current?.status !== 'open' || !current.assignee?.isFin) continue;
          const updated = await tx.updateConversation(id, { ...assign({}, current, null), handoverReason: FIN_UNREACHABLE }, at);
          await tx.enqueueSync(id, at);
          await recordActivity(tx, activityBetween(current, updated, { at, actor: SYSTEM_ACTOR, how: 'automatic' }));
          done.push(id);
        }
        return done;
      })),
    );
  }
  return routed;
}

/**
 * The fail-safe's run, Fin unreachable since `since`: the candidates (`FailSafeStore`) handed over
 * at `at` (`handOverFromUnreachableFin`). Returns the ids routed, sorted.
 */
export async function routeFinConversationsToPeople(
  stores: { failSafe: FailSafeStore; store: Pick<UnitOfWork, 'transaction'> },
  since: string,
  at: string,
): Promise<string[]> {
  return handOverFromUnreachableFin(stores.store, await stores.failSafe.finConversationsToRoute(since), at);
}
