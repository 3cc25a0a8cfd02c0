/** Service levels' background work: the SLA clock (src/jobs/sla-clock.ts). */
import { SlaClockJob } from '../jobs/sla-clock.js';
import { jobsOnly, type Background, type BackgroundDeps } from './background.js';

/** The notifications its warnings and breaches queue wake this process's sender when they commit. */
export function slaBackground({ finch }: BackgroundDeps): Background {
  return jobsOnly([new SlaClockJob({ sla: finch.sla, unitOfWork: finch.store })]);
}
