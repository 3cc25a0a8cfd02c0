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
