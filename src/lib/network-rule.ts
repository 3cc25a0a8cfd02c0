/**
 * Which IP addresses Finch may open a connection to when the target is a URL someone configured
 * (Fin's base URL). Pure: no lookups, no sockets; `outbox/outbound-guard.ts` applies it to every
 * address a host name resolves to, at connect time.
 *
 * Refused unless an allowed network names them: the IANA special-purpose ranges (RFC 6890 and its
 * registries): loopback, private-use (RFC 1918), shared/carrier-grade NAT (RFC 6598), link-local
 * (where cloud metadata services answer, e.g. 169.254.169.254), unique-local (RFC 4193),
 * multicast, unspecified, documentation, benchmarking and reserved ranges. IPv4-mapped
 * (`::ffff:a.b.c.d`) and NAT64 (`64:ff9b::a.b.c.d`) addresses are judged by the IPv4 address they
 * carry; IPv4-compatible (`::a.b.c.d`), 6to4 and Teredo are refused outright.
 */
import net from 'node:net';

type Family = 'ipv4' | 'ipv6';

/** Each range and what it is, in words shown to admins; the first that matches names an address. */
const SPECIAL: readonly (readonly [network: string, prefix: number, family: Family, kind: string])[] = [
  ['0.0.0.0', 8, 'ipv4', 'an unspecified ("this network") address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a shared (carrier-grade NAT) address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address'],
  ['192.0.0.0', 24, 'ipv4', 'a reserved address'],
  ['192.0.2.0', 24, 'ipv4', 'a documentation address'],
  ['198.51.100.0', 24, 'ipv4', 'a documentation address'],
  ['203.0.113.0', 24, 'ipv4', 'a documentation address'],
  ['192.88.99.0', 24, 'ipv4', 'a reserved address'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'an unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['::', 96, 'ipv6', 'an IPv4-compatible address'],
  ['64:ff9b:1::', 48, 'ipv6', 'a private address'],
  ['100::', 64, 'ipv6', 'a reserved address'],
  ['2001:db8::', 32, 'ipv6', 'a documentation address'],
  ['2001::', 23, 'ipv6', 'a reserved address'],
  ['2002::', 16, 'ipv6', 'a reserved address'],
  ['3fff::', 20, 'ipv6', 'a documentation address'],
  ['5f00::', 16, 'ipv6', 'a reserved address'],
  ['fc00::', 7, 'ipv6', 'a unique-local address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['fec0::', 10, 'ipv6', 'a site-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
];

const RANGES = SPECIAL.map(([network, prefix, family, kind]) => {
  const list = new net.BlockList();
  list.addSubnet(network, prefix, family);
  return { list, kind };
});

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const NAT64 = new net.BlockList();
NAT64.addSubnet('64:ff9b::', 96, 'ipv6');

export class NetworkListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkListError';
  }
}

/**
 * Reads a list of networks, e.g. `10.20.0.0/16, fd00:1::/64, 192.168.1.5` (comma or space
 * separated; an address alone is one host). Returns them normalized as `address/prefix`.
 * @throws NetworkListError naming the first entry that is not a network.
 */
export function parseNetworks(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [address = '', prefixText, extra] = entry.split('/');
      const family = net.isIP(address);
      const max = family === 6 ? 128 : 32;
      const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
      if (family === 0 || extra !== undefined || !(prefix >= 0 && prefix <= max)) {
        throw new NetworkListError(`${JSON.stringify(entry)} is not a network (write one as 10.20.0.0/16, fd00::/8 or a single address)`);
      }
      return `${address.toLowerCase()}/${prefix}`;
    });
}

/** The address a URL's host names when it is an IP literal (brackets and a trailing dot removed), else undefined. */
export function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  return net.isIP(bare) === 0 ? undefined : bare;
}

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string): boolean {
  const bare = withoutZone(address);
  const family = net.isIP(bare);
  return family !== 0 && LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Whether an address is in a list of networks (as `parseNetworks` returns them). An IPv4-mapped
 * address (`::ffff:a.b.c.d`, how a dual-stack socket shows an IPv4 client) is in an IPv4 network
 * when its IPv4 address is; a zone (`%eth0`) is ignored. Used for FINCH_FIN_ALLOWED_NETWORKS
 * (where Finch may connect) and FINCH_FIN_ALLOWED_IPS (who may call the Fin API).
 */
export class AddressList {
  private readonly list = new net.BlockList();

  constructor(readonly networks: readonly string[]) {
    for (const network of networks) {
      const [address = '', prefix = ''] = network.split('/');
      this.list.addSubnet(address, Number(prefix), net.isIP(address) === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** False for anything that is not an IP address. */
  includes(address: string): boolean {
    const bare = withoutZone(address);
    const family = net.isIP(bare);
    return family !== 0 && this.list.check(bare, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Decides addresses for one list of allowed networks (FINCH_FIN_ALLOWED_NETWORKS). */
export class NetworkRule {
  private readonly allowed: AddressList;

  /** @param allowedNetworks as `parseNetworks` returns them; they win over the special ranges. */
  constructor(readonly allowedNetworks: readonly string[] = []) {
    this.allowed = new AddressList(allowedNetworks);
  }

  /** Why a connection to `address` is refused ("a private address"), or undefined when it may be made. */
  refusal(address: string): string | undefined {
    const bare = withoutZone(address);
    const family = net.isIP(bare);
    if (family === 0) return 'not an IP address';
    const type: Family = family === 4 ? 'ipv4' : 'ipv6';
    if (this.allowed.includes(bare)) return undefined;
    // NAT64 (RFC 6052) carries an IPv4 address in its last 32 bits: judge that one.
    if (type === 'ipv6' && NAT64.check(bare, 'ipv6')) return this.refusal(lastIPv4(bare));
    return RANGES.find(({ list }) => list.check(bare, type))?.kind;
  }
}

/** A zone (`fe80::1%eth0`) names an interface, not an address. */
function withoutZone(address: string): string {
  return address.replace(/%.*$/, '');
}

/** The IPv4 address in the last 32 bits of an IPv6 address. */
function lastIPv4(address: string): string {
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) return dotted[1]!;
  const groups = address.split(':');
  const low = parseInt(groups.at(-1) || '0', 16);
  const high = groups.length >= 2 ? parseInt(groups.at(-2) || '0', 16) : 0;
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}
