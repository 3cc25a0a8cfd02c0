import { hashToken } from '../../auth/secrets.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { SESSION_IDLE_MS, TOUCH_EVERY_MS } from './session-rules.js';

export type SessionCheck =
  | { ok: true; agent: Agent; csrfToken: string; expiresAt: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'inactive' };

/**
 * Whether a session may be used now. A request uses it (`touch`, the default: it stays alive while
 * used); an open event stream only checks it, so an inbox left open still ends after 12 idle hours.
 */
export async function checkSession(ctx: HelpdeskContext, sessionToken: string, options: { touch?: boolean } = {}): Promise<SessionCheck> {
  const tokenHash = hashToken(sessionToken);
  const session = await ctx.accounts.findSession(tokenHash);
  if (!session) return { ok: false, reason: 'unknown' };
  if (session.revokedAt !== null) return { ok: false, reason: 'revoked' };
  const now = ctx.now();
  const idleSince = Date.parse(session.lastSeenAt);
  if (session.expiresAt <= now.toISOString() || now.getTime() - idleSince > SESSION_IDLE_MS) return { ok: false, reason: 'expired' };
  const { agent } = session;
  if (!agent.active) return { ok: false, reason: 'inactive' };
  if (options.touch !== false && now.getTime() - idleSince > TOUCH_EVERY_MS) await ctx.accounts.touchSession(tokenHash, now.toISOString());
  return { ok: true, agent, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}
