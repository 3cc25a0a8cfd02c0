/** Automatic assignment's background work: the router (src/routing/) and its jobs. */
import { jobsOnly, type Background, type BackgroundDeps } from './background.js';

export function routingBackground(_deps: BackgroundDeps): Background {
  return jobsOnly([]);
}
