/** Presence's background work: its jobs (src/jobs/): ending the connections of inboxes whose node died. */
import { PresenceExpiryJob } from '../jobs/presence-expiry.js';
import { jobsOnly, type Background, type BackgroundDeps } from './background.js';

/** `onOffline`: agents went offline (their node died); the router may return their conversations (routing's `wake`). */
export function presenceBackground({ finch }: BackgroundDeps, hooks: { onOffline?: () => void } = {}): Background {
  return jobsOnly([new PresenceExpiryJob({ presence: finch.presence, ...(hooks.onOffline ? { onOffline: hooks.onOffline } : {}) })]);
}
