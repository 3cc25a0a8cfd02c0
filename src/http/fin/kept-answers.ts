/**
 * Fin's two reads, get_conversation and get_messages, answered from memory while nothing has been
 * committed to the store since the answer was made (docs/decisions.md, "Answers kept while nothing
 * changed"). What is kept is the answer's serialized JSON, so a kept answer costs the token check
 * and a send: no query, no presenting, no serializing.
 *
 * The version comes with the token when authentication gives one (Finch's SQL credential store:
 * SQLite's counters, PostgreSQL's `pg_current_snapshot()` in the token's statement), else from
 * `FinStore.version`; with neither, nothing is kept. Every commit, by any process or node, drops
 * every kept answer; authentication, the signature check, validation and the operation's span run
 * on every request as before.
 */
import type { Variant } from '../../contract/models.js';
import type { OperationName } from '../../contract/operations.js';
import type { FinStore } from '../../store/port.js';
import { KeptWhileUnchanged } from '../../lib/kept-while-unchanged.js';

/** The operations whose answers are kept: reads whose answer depends on their input and the store only. */
const KEPT: ReadonlySet<OperationName> = new Set(['get_conversation', 'get_messages']);

/** Most answers kept, and most characters in all, keys included (about 32 MB of UTF-16). An answer longer than that is not kept. */
const LIMITS = { entries: 10_000, maxWeight: 16 * 1024 * 1024 } as const;

export type KeptAnswers = KeptWhileUnchanged<string>;

/** The store of kept answers for one Fin API. */
export function keptAnswers(store: FinStore): KeptAnswers {
  return new KeptWhileUnchanged<string>(store.version?.bind(store), { ...LIMITS, weigh: (body, key) => body.length + key.length });
}

/**
 * What a request's answer is kept under: the operation, the variant (its envelope) and the input
 * fields the operation reads (unknown fields are ignored by the contract, so they are not part of
 * it). `undefined` for operations whose answers are never kept.
 */
export function answerKey(operation: OperationName, variant: Variant, input: unknown): string | undefined {
  if (!KEPT.has(operation)) return undefined;
  const { conversation_id, after_id } = input as { conversation_id: string; after_id?: string | null };
  // Ids are any non-empty strings (a separator may occur in them), so the parts are encoded as a JSON
  // array: two different inputs never give one key. get_conversation does not read after_id; for
  // get_messages an absent, null or empty after_id all mean "every message" (domain/fin/get-messages.ts).
  const after = operation === 'get_messages' ? after_id || '' : '';
  return JSON.stringify([operation, variant, conversation_id, after]);
}
