/** Presence's background work: its jobs (src/jobs/). */
import { jobsOnly, type Background, type BackgroundDeps } from './background.js';

export function presenceBackground(_deps: BackgroundDeps): Background {
  return jobsOnly([]);
}
