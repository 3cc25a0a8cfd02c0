/**
 * Connections to a configured URL (Fin's base URL) open only to addresses the network rule
 * permits, checked where the connection is made: the agents' `lookup` resolves the host and hands
 * the socket only the addresses that pass, so a DNS answer cannot lead Finch to an internal
 * service, whatever it says and however often it changes (each new connection resolves again).
 * An IP literal skips `lookup`, so `refusedTarget` judges it before any request is made.
 *
 * - https: any address but the special ranges (`lib/network-rule.ts`), plus the allowed networks
 *   (FINCH_FIN_ALLOWED_NETWORKS) for on-premises targets.
 * - http: loopback only (the local emulator); the webhook key would otherwise cross a network in
 *   clear text.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { NetworkRule, ipLiteral, isLoopbackAddress } from '../lib/network-rule.js';

/** The code of the error a refused lookup fails the request with. */
export const ADDRESS_REFUSED = 'ERR_FINCH_ADDRESS_REFUSED';

export interface Guard {
  rule: NetworkRule;
  agents: { 'http:': http.Agent; 'https:': https.Agent };
}

/** One guard per list of allowed networks: keep-alive sockets are never shared across rules. */
const guards = new Map<string, Guard>();

/** The guard (rule and keep-alive agents) for a list of allowed networks, made once. */
export function guardFor(allowedNetworks: readonly string[] = []): Guard {
  const key = allowedNetworks.join(',');
  let guard = guards.get(key);
  if (!guard) {
    const rule = new NetworkRule(allowedNetworks);
    guard = {
      rule,
      agents: {
        'http:': new http.Agent({ keepAlive: true, maxSockets: 64, lookup: guardedLookup('http:', rule) }),
        'https:': new https.Agent({ keepAlive: true, maxSockets: 64, lookup: guardedLookup('https:', rule) }),
      },
    };
    guards.set(key, guard);
  }
  return guard;
}

/**
 * Why a request to `url` must not be made at all, judged before any connection: a scheme other
 * than http(s), or a host that is an IP literal the rule refuses. Undefined when host names
 * decide at connect time, or the literal is permitted.
 */
export function refusedTarget(url: URL, guard: Guard): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `refused to connect: ${url.protocol} is not http or https`;
  const literal = ipLiteral(url.hostname);
  return literal === undefined ? undefined : refusal(url.protocol, guard.rule, literal, literal);
}

/**
 * Why `address` is refused for `protocol`, in words for the delivery log (e.g. "refused to
 * connect: 10.0.0.1 is a private address; …"), or undefined when it is permitted.
 */
function refusal(protocol: string, rule: NetworkRule, address: string, shown: string): string | undefined {
  if (protocol === 'http:') {
    return isLoopbackAddress(address)
      ? undefined
      : `refused to connect: ${shown} is not a loopback address (http:// is allowed only for loopback; use https://)`;
  }
  const kind = rule.refusal(address);
  return kind === undefined ? undefined : `refused to connect: ${shown} is ${kind}; FINCH_FIN_ALLOWED_NETWORKS can allow an on-premises network`;
}

/**
 * A `lookup` for sockets: resolves as `dns.lookup` does, keeps the addresses the rule permits, and
 * fails with ADDRESS_REFUSED when none is left, so the socket never connects to a refused one.
 */
function guardedLookup(protocol: 'http:' | 'https:', rule: NetworkRule): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const permitted = addresses.filter((entry) => refusal(protocol, rule, entry.address, entry.address) === undefined);
      if (permitted.length === 0) {
        const first = addresses[0];
        const why = first ? refusal(protocol, rule, first.address, `${hostname} (${first.address})`)! : `refused to connect: ${hostname} has no address`;
        const refused = Object.assign(new Error(why), { code: ADDRESS_REFUSED, hostname });
        return callback(refused, '', 0);
      }
      if (options.all) return (callback as unknown as (error: null, all: dns.LookupAddress[]) => void)(null, permitted);
      callback(null, permitted[0]!.address, permitted[0]!.family);
    });
  };
}
