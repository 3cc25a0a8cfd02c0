/**
 * Fin's two reads, get_conversation and get_messages, answered from memory while nothing has been
 * committed to the store since the answer was made (docs/decisions.md, "Answers kept while nothing
 * changed"). What is kept is the answer's serialized JSON, so a kept answer costs the token check
 * and a send: no query, no presenting, no serializing.
 *
 * Only a store with a version (`FinStore.version`: Finch's SQLite) keeps anything. Every commit,
 * by any process, drops every kept answer; authentication, the signature check, validation and
 * the operation's span run on every request as before.
 */
import type { Variant } from '../../contract/models.js';
import type { OperationName } from '../../contract/operations.js';
import type { FinStore } from '../../store/port.js';
import { KeptWhileUnchanged } from '../../lib/kept-while-unchanged.js';

/** The operations whose answers are kept: reads whose answer depends on their input and the store only. */
const KEPT: ReadonlySet<OperationName> = new Set(['get_conversation', 'get_messages']);

/** Most answers kept, and most characters in all (about 32 MB of UTF-16). An answer longer than that is not kept. */
const LIMITS = { entries: 10_000, maxWeight: 16 * 1024 * 1024 } as const;

export type KeptAnswers = KeptWhileUnchanged<string>;

/** The store of kept answers for one Fin API, or `undefined` when the store has no version. */
export function keptAnswers(store: FinStore): KeptAnswers | undefined {
  const version = store.version?.bind(store);
  if (!version) return undefined;
  return new KeptWhileUnchanged<string>(version, { ...LIMITS, weigh: (body) => body.length });
}

/**
 * What a request's answer is kept under: the operation, the variant (its envelope) and the input
 * fields the operation reads (unknown fields are ignored by the contract, so they are not part of
 * it). `undefined` for operations whose answers are never kept.
 */
export function answerKey(operation: OperationName, variant: Variant, input: unknown): string | undefined {
  if (!KEPT.has(operation)) return undefined;
  const { conversation_id, after_id } = input as { conversation_id: string; after_id?: string | null };
  // An absent, null or empty after_id all mean "every message" (domain/fin/get-messages.ts).
  return `${operation}\n${variant}\n${conversation_id}\n${after_id || ''}`;
}
