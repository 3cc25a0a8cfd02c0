/**
 * The agent API's options, and what its route modules get. Its own module so that the plugin and
 * the routes it registers share them without importing each other.
 */
import type { HelpdeskContext } from '../../domain/helpdesk/context.js';
import type { LiveStreams } from './live-streams.js';

export interface AgentApiOptions {
  ctx: HelpdeskContext;
  /** Sign-in attempts per 15 minutes for one address and email. */
  loginRateLimit: number;
  /** Mark the session cookie Secure (Finch is served over HTTPS). */
  secureCookies: boolean;
  bodyLimit?: number;
  /** Largest file an agent may upload (FINCH_ATTACHMENT_LIMIT). */
  attachmentLimitBytes?: number;
  /** How often an idle event stream gets a keep-alive comment. */
  eventKeepAliveMs?: number;
  /** Changes this close together go out as one event. */
  eventCoalesceMs?: number;
  /** How often an open event stream checks its session or token again (5 s). */
  eventRecheckMs?: number;
}

/** What the route modules get: the options, and this server's open event streams. */
export type AgentRouteOptions = Pick<AgentApiOptions, 'ctx' | 'loginRateLimit' | 'secureCookies'> & { streams: LiveStreams };
