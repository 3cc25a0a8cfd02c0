/**
 * Automatic assignment's background work: the router (src/routing/router.ts), woken by this
 * process's changes (`wake`, the agent API's `ctx.routing.wake`), by every node's changes that can
 * give it work (the change feed's routing signal: a conversation created, a status or an assignee
 * written) and by a backstop poll.
 */
import { routeWaiting } from '../domain/routing/route-waiting.js';
import type { Finch } from '../finch.js';
import { Router, type RouterOptions } from '../routing/router.js';
import type { Background, BackgroundDeps } from './background.js';

export function routingBackground(deps: BackgroundDeps, options: Pick<RouterOptions, 'debounceMs' | 'pollMs' | 'onRouted'> = {}): Background {
  const router = createRouter(deps.finch, { clock: deps.clock, logger: deps.logger, ...options });
  return { jobs: [], start: () => router.start(), wake: () => router.wake(), stop: () => router.stop() };
}

/** A router over Finch's SQL stores (also what tests and benchmarks run beside a server). */
export function createRouter(finch: Pick<Finch, 'store' | 'routing'>, options: Omit<RouterOptions, 'route' | 'subscribe'>): Router {
  return new Router({
    ...options,
    route: () => routeWaiting({ store: finch.routing, transaction: (work) => finch.store.transaction(work), now: () => options.clock.now() }),
    subscribe: (onChange, onMissed) => finch.store.subscribeToRoutingChanges(onChange, onMissed),
  });
}
