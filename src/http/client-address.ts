/**
 * Who a request comes from: as a rate limit counts it (`clientKey`), and whether it may call an
 * endpoint restricted to a list of addresses (`allowClientsIn`).
 */
import type { FastifyRequest } from 'fastify';
import type { AddressList } from '../lib/network-rule.js';
import { HttpProblem } from './problem.js';

/**
 * Who a request comes from, as a rate limit counts it: an IPv4 address as is (an IPv4-mapped IPv6
 * address as its IPv4 address), an IPv6 address by its /64, the block one subscriber gets, since a
 * client can take a new address in its /64 for every request. Behind a reverse proxy the address
 * is the client's only when FINCH_TRUST_PROXY names the proxy (Fastify's `trustProxy`).
 */
export function clientKey(ip: string): string {
  const address = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])));
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? front : [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${all
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * An `onRequest` hook that lets through only clients whose address (`request.ip`: the socket's,
 * or the client's as a trusted proxy names it, FINCH_TRUST_PROXY) is in `allowed`; any other gets
 * 403 `client_not_allowed` and one warning in the log. `setting` names the list for the operator
 * (FINCH_FIN_ALLOWED_IPS). Behind a proxy that is not trusted every request seems to come from the
 * proxy: the answer and the log say so.
 */
export function allowClientsIn(allowed: AddressList, setting: string): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    if (allowed.includes(request.ip)) return;
    const forwarded = request.headers['x-forwarded-for'] !== undefined;
    const proxyIgnored = forwarded && request.ip === request.socket.remoteAddress;
    request.log.warn(
      { client_address: request.ip, socket_address: request.socket.remoteAddress, forwarded_for_ignored: proxyIgnored, setting },
      `request refused: the client address is not in ${setting}${proxyIgnored ? ' (X-Forwarded-For was ignored: FINCH_TRUST_PROXY does not trust this proxy)' : ''}`,
    );
    throw new HttpProblem(
      403,
      'client_not_allowed',
      `Requests from ${request.ip} are not accepted here: the address is not in ${setting}. Behind a reverse proxy, FINCH_TRUST_PROXY must trust the proxy for Finch to see the client's address.`,
    );
  };
}
