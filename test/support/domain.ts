/** A Fin context over a fresh in-memory store, with a clock the test moves, for use-case tests. */
import type { FinContext } from '../../src/domain/context.js';
import { MemoryFinStore } from '../../src/store/memory/memory-fin-store.js';

export function memoryContext(start = '2025-10-27T14:00:00.000Z'): FinContext & { store: MemoryFinStore; tick: (ms?: number) => void } {
  let now = new Date(start).getTime();
  const store = new MemoryFinStore(new Date(now));
  return { store, now: () => new Date(now), tick: (ms = 1000) => void (now += ms) };
}

export const humanAgent = (ctx: ReturnType<typeof memoryContext>, name = 'Hana') =>
  ctx.store.insertAgent({
    name,
    email: `${name.toLowerCase()}@example.com`,
    alias: null,
    photoUrl: null,
    role: 'agent',
    isFin: false,
    passwordHash: null,
    at: ctx.now().toISOString(),
  });
