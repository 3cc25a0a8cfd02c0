/** Service levels' background work: the SLA clock's jobs (src/jobs/). */
import { jobsOnly, type Background, type BackgroundDeps } from './background.js';

export function slaBackground(_deps: BackgroundDeps): Background {
  return jobsOnly([]);
}
