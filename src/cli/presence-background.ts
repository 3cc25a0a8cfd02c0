/** Presence's background work: its jobs (src/jobs/): ending the connections of inboxes whose node died. */
import { PresenceExpiryJob } from '../jobs/presence-expiry.js';
import { jobsOnly, type Background, type BackgroundDeps } from './background.js';

export function presenceBackground({ finch }: BackgroundDeps): Background {
  return jobsOnly([new PresenceExpiryJob({ presence: finch.presence })]);
}
