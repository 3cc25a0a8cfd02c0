/**
 * FINCH_SIGNATURE_MODE and FINCH_FIN_ALLOWED_IPS as configuration: what they read as, and that a
 * wrong value stops Finch at start with one line naming the setting (exit status 2).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { exitWithin, launchFinch } from './processes.js';

describe('FINCH_SIGNATURE_MODE', () => {
  it('is enforce by default, with or without a secret, and report when asked', () => {
    expect(loadConfig({}).signatureMode).toBe('enforce');
    expect(loadConfig({ FINCH_SIGNING_SECRET: 's' }).signatureMode).toBe('enforce');
    expect(loadConfig({ FINCH_SIGNING_SECRET: 's', FINCH_SIGNATURE_MODE: 'enforce' }).signatureMode).toBe('enforce');
    expect(loadConfig({ FINCH_SIGNING_SECRET: 's', FINCH_SIGNATURE_MODE: 'report' }).signatureMode).toBe('report');
  });

  it('refuses any other spelling, and a mode without a secret to check with', () => {
    expect(() => loadConfig({ FINCH_SIGNING_SECRET: 's', FINCH_SIGNATURE_MODE: 'Report' })).toThrow(
      'FINCH_SIGNATURE_MODE must be one of enforce, report; got "Report".',
    );
    expect(() => loadConfig({ FINCH_SIGNING_SECRET: 's', FINCH_SIGNATURE_MODE: 'log' })).toThrow(ConfigError);
    expect(() => loadConfig({ FINCH_SIGNATURE_MODE: 'report' })).toThrow(/^FINCH_SIGNATURE_MODE needs FINCH_SIGNING_SECRET/);
  });
});

describe('FINCH_FIN_ALLOWED_IPS', () => {
  it('is unset by default (any address), and reads a list of IPv4 and IPv6 networks and single addresses', () => {
    expect(loadConfig({}).finAllowedIps).toBeUndefined();
    expect(loadConfig({ FINCH_FIN_ALLOWED_IPS: '34.197.76.213/32, 54.0.0.0/16 2600:1F18::/32,52.1.2.3' }).finAllowedIps).toEqual([
      '34.197.76.213/32',
      '54.0.0.0/16',
      '2600:1f18::/32',
      '52.1.2.3/32',
    ]);
  });

  it('refuses a value that is set but empty (a list whose download failed), rather than opening to every address', () => {
    for (const empty of ['', '  ', '\n']) {
      expect(() => loadConfig({ FINCH_FIN_ALLOWED_IPS: empty })).toThrow(/^FINCH_FIN_ALLOWED_IPS is set but empty/);
    }
  });

  it.each([
    ['a name', '34.197.76.213/32,intercom.io', '"intercom.io" is not a network'],
    ['a prefix too long', '10.0.0.0/33', '"10.0.0.0/33" is not a network'],
    ['an IPv6 prefix too long', '2600::/129', '"2600::/129" is not a network'],
    ['two slashes', '10.0.0.0/8/8', '"10.0.0.0/8/8" is not a network'],
  ])('refuses %s with one line naming the setting', (_label, value, why) => {
    expect(() => loadConfig({ FINCH_FIN_ALLOWED_IPS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ FINCH_FIN_ALLOWED_IPS: value })).toThrow(new RegExp(`^FINCH_FIN_ALLOWED_IPS: ${why.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  });

  it('refuses a list of nothing (a lone comma), which would shut Fin out', () => {
    expect(() => loadConfig({ FINCH_FIN_ALLOWED_IPS: ',' })).toThrow(/^FINCH_FIN_ALLOWED_IPS lists no network/);
  });

  it('stops finch start with one line naming FINCH_FIN_ALLOWED_IPS, exit status 2', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'finch-allowed-ips-'));
    try {
      const started = launchFinch(['start'], { FINCH_DATA_DIR: dir, FINCH_DEMO: 'off', FINCH_PORT: '0', FINCH_FIN_ALLOWED_IPS: '10.0.0.0/8, fin.example' });
      const exit = await exitWithin(started, 15_000);
      expect(exit.code, started.output()).toBe(2);
      expect(started.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^finch start: FINCH_FIN_ALLOWED_IPS: "fin\.example" is not a network/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
