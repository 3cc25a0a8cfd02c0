/** Service levels' background work: the SLA clock (src/jobs/sla-clock.ts). */
import { SlaClockJob } from '../jobs/sla-clock.js';
import { jobsOnly, type Background, type BackgroundDeps } from './background.js';

/** `onRecorded`: the SLA job recorded warnings or breaches (e.g. wake this process's notification sender). */
export function slaBackground({ finch }: BackgroundDeps, options: { onRecorded?: () => void } = {}): Background {
  return jobsOnly([new SlaClockJob({ sla: finch.sla, unitOfWork: finch.store, ...options })]);
}
