import { describe, expect, it } from 'vitest';
import { NetworkListError, NetworkRule, ipLiteral, isLoopbackAddress, parseNetworks } from './network-rule.js';

describe('the network rule for configured targets', () => {
  const rule = new NetworkRule();

  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.0.9', 'a loopback address'],
    ['::1', 'a loopback address'],
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['::ffff:7f00:1', 'a loopback address'],
    ['10.0.0.1', 'a private address'],
    ['172.16.0.1', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['::ffff:192.168.1.1', 'a private address'],
    ['100.64.0.1', 'a shared (carrier-grade NAT) address'],
    ['100.127.255.255', 'a shared (carrier-grade NAT) address'],
    ['169.254.169.254', 'a link-local address'],
    ['::ffff:a9fe:a9fe', 'a link-local address'],
    ['64:ff9b::a9fe:a9fe', 'a link-local address'],
    ['64:ff9b::10.0.0.1', 'a private address'],
    ['64:ff9b:1::1', 'a private address'],
    ['fe80::1', 'a link-local address'],
    ['fe80::1%eth0', 'a link-local address'],
    ['fd00::1', 'a unique-local address'],
    ['fc00::1', 'a unique-local address'],
    ['0.0.0.0', 'an unspecified ("this network") address'],
    ['0.1.2.3', 'an unspecified ("this network") address'],
    ['::', 'an unspecified address'],
    ['::7f00:1', 'an IPv4-compatible address'],
    ['224.0.0.1', 'a multicast address'],
    ['ff02::1', 'a multicast address'],
    ['255.255.255.255', 'a reserved address'],
    ['240.0.0.1', 'a reserved address'],
    ['192.0.2.10', 'a documentation address'],
    ['2001:db8::1', 'a documentation address'],
    ['198.18.0.1', 'a benchmarking address'],
    ['2001::1', 'a reserved address'],
    ['2002:a00:1::1', 'a reserved address'],
    ['fec0::1', 'a site-local address'],
  ])('refuses %s: %s', (address, kind) => {
    expect(rule.refusal(address)).toBe(kind);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '169.253.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2001:200::1',
  ])('lets public %s through', (address) => {
    expect(rule.refusal(address)).toBeUndefined();
  });

  it('lets the allowed networks through, and only them', () => {
    const onPremises = new NetworkRule(parseNetworks('10.20.0.0/16, fd00:1::/64 127.0.0.1'));
    expect(onPremises.refusal('10.20.3.4')).toBeUndefined();
    expect(onPremises.refusal('::ffff:10.20.3.4')).toBeUndefined();
    expect(onPremises.refusal('fd00:1::5')).toBeUndefined();
    expect(onPremises.refusal('127.0.0.1')).toBeUndefined();
    expect(onPremises.refusal('10.21.0.1')).toBe('a private address');
    expect(onPremises.refusal('127.0.0.2')).toBe('a loopback address');
    expect(onPremises.refusal('169.254.169.254')).toBe('a link-local address');
  });

  it('reads a list of networks, refusing anything else by name', () => {
    expect(parseNetworks(' 10.0.0.0/8,FD00::/8  192.168.1.5 ,')).toEqual(['10.0.0.0/8', 'fd00::/8', '192.168.1.5/32']);
    expect(parseNetworks('::1')).toEqual(['::1/128']);
    for (const bad of ['10.0.0.0/33', 'fd00::/129', 'intranet', '10.0.0.0/8/1', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/ 8x']) {
      expect(() => parseNetworks(bad), bad).toThrow(NetworkListError);
    }
  });

  it('knows an IP literal in a URL host, bracketed or with a trailing dot', () => {
    expect(ipLiteral('[::1]')).toBe('::1');
    expect(ipLiteral('127.0.0.1.')).toBe('127.0.0.1');
    expect(ipLiteral('api.intercom.io')).toBeUndefined();
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.1')).toBe(false);
  });
});
