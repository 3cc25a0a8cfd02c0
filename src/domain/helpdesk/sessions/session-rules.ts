/**
 * Signing in: an agent's email and password give a session (an HTTP-only cookie holding a random
 * token, stored hashed) and a CSRF token the browser sends back with every change. Sessions last
 * 7 days at most and end after 12 hours without use. The rules the session use cases share.
 */
import { unmatchablePasswordHash } from '../../auth/secrets.js';

export const SESSION_LIFETIME_MS = 7 * 86_400_000;
export const SESSION_IDLE_MS = 12 * 3_600_000;
/** last_seen_at is written at most this often, not on every request. */
export const TOUCH_EVERY_MS = 5 * 60_000;
export const SESSION_PREFIX = 'fss_';

/**
 * Checked when no agent has the email (or the agent has no password), so that the answer takes as
 * long either way and waits in, or is refused by, the same queue of hashes.
 */
export const NO_ACCOUNT_HASH = unmatchablePasswordHash();
