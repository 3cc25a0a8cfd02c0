/**
 * Who may read `/metrics` (docs/metrics.md, "Access"). The metrics say how busy Finch is, how many
 * conversations wait and whether Fin answers: not secrets, but nothing to show the world.
 *
 * - FINCH_METRICS_TOKEN set: only `Authorization: Bearer <token>`, compared in constant time, from
 *   any address (the scraper may be on another host).
 * - Unset: only callers on loopback (127.0.0.0/8, ::1, and IPv4 loopback written as an IPv6-mapped
 *   address), judged by the TCP peer's address, never by X-Forwarded-For, even with a trusted
 *   proxy: a reverse proxy on the same host connects from loopback and would otherwise forward
 *   the whole internet's scrapes as local ones; a forged X-Forwarded-For would do the same where
 *   no proxy is trusted. Behind a proxy, /metrics needs the token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import net from 'node:net';

export type MetricsAccess =
  | { allowed: true }
  /** 401: the token is required and missing or wrong (answered with `WWW-Authenticate: Bearer`). */
  | { allowed: false; status: 401; code: 'metrics_token_required' | 'metrics_token_invalid' }
  /** 403: no token is configured and the caller is not on loopback. */
  | { allowed: false; status: 403; code: 'metrics_loopback_only' };

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether a socket's peer address is loopback (`::ffff:127.0.0.1` too). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const bare = mapped ?? address;
  const family = net.isIP(bare);
  if (family === 0) return false;
  return LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Judges one scrape. `token`: FINCH_METRICS_TOKEN (undefined: loopback only); `authorization`:
 * the request's header; `peerAddress`: the socket's remote address (not `request.ip`).
 */
export function judgeMetricsAccess(token: string | undefined, authorization: string | undefined, peerAddress: string | undefined): MetricsAccess {
  if (token === undefined) return isLoopback(peerAddress) ? { allowed: true } : { allowed: false, status: 403, code: 'metrics_loopback_only' };
  const presented = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '')?.[1];
  if (presented === undefined) return { allowed: false, status: 401, code: 'metrics_token_required' };
  return sameSecret(presented, token) ? { allowed: true } : { allowed: false, status: 401, code: 'metrics_token_invalid' };
}

/** Constant-time equality of two strings of any lengths (their SHA-256 digests are compared). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
