/** Notifications' background work: the sender (src/notifications/) and its jobs. */
import { jobsOnly, type Background, type BackgroundDeps } from './background.js';

export function notificationBackground(_deps: BackgroundDeps): Background {
  return jobsOnly([]);
}
