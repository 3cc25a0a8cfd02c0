import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('needs nothing: SQLite under ./data, port 8080, loopback', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dataDir: path.resolve('data'),
      databaseUrl: undefined,
      signingSecret: undefined,
      signatureToleranceSeconds: 300,
    });
    expect(config.publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('reads every setting from the environment', () => {
    const config = loadConfig({
      FINCH_HOST: '0.0.0.0',
      FINCH_PORT: '9000',
      FINCH_PUBLIC_URL: 'https://help.example.com/',
      DATABASE_URL: 'postgres://finch@db/finch',
      FINCH_SIGNING_SECRET: 's',
      FINCH_SIGNATURE_TOLERANCE: '60',
      FINCH_TOKEN_TTL: '900',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      publicUrl: 'https://help.example.com',
      databaseUrl: 'postgres://finch@db/finch',
      signingSecret: 's',
      signatureToleranceSeconds: 60,
      tokenTtlSeconds: 900,
    });
  });

  it('spells the public URL one way: scheme and host lower-cased, IPv6 hosts in brackets, no trailing slash', () => {
    expect(loadConfig({ FINCH_PUBLIC_URL: 'HTTPS://Help.Example.com/support/' }).publicUrl).toBe('https://help.example.com/support');
    expect(loadConfig({ FINCH_HOST: '::1', FINCH_PORT: '9000' }).publicUrl).toBe('http://[::1]:9000');
    expect(loadConfig({ FINCH_HOST: '::' }).publicUrl).toBe('http://localhost:8080');
    for (const bad of ['help.example.com', 'ftp://help.example.com', 'https://help.example.com/?a=1', 'https://user:pw@help.example.com']) {
      expect(() => loadConfig({ FINCH_PUBLIC_URL: bad }), bad).toThrow(/FINCH_PUBLIC_URL/);
    }
  });

  it('reads which proxies to trust: none by default, true, a hop count, or addresses and ranges', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ FINCH_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ FINCH_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ FINCH_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trustProxy).toBe('10.0.0.0/8,127.0.0.1,::1');
    for (const bad of ['yes', '10.0.0.0/33', 'proxy.local', '::1/129']) expect(() => loadConfig({ FINCH_TRUST_PROXY: bad }), bad).toThrow(/FINCH_TRUST_PROXY/);
  });

  it('refuses values it cannot use, naming the variable', () => {
    expect(() => loadConfig({ FINCH_PORT: '70000' })).toThrow(/FINCH_PORT/);
    expect(() => loadConfig({ FINCH_TOKEN_TTL: '1.5' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'sqlite:finch.db' })).toThrow(/DATABASE_URL/);
  });

  it('reads FINCH_DB_QUERY_TIMEOUT in seconds, 10 by default, from 1 to 3600', () => {
    expect(loadConfig({}).dbQueryTimeoutSeconds).toBe(10);
    expect(loadConfig({ FINCH_DB_QUERY_TIMEOUT: '30' }).dbQueryTimeoutSeconds).toBe(30);
    for (const refused of ['0', '3601', '2.5', 'ten']) expect(() => loadConfig({ FINCH_DB_QUERY_TIMEOUT: refused })).toThrow(/FINCH_DB_QUERY_TIMEOUT/);
  });

  it('reads FINCH_FIN_ALLOWED_NETWORKS as a list of networks; none by default', () => {
    expect(loadConfig({}).fin.allowedNetworks).toBeUndefined();
    expect(loadConfig({ FINCH_FIN_ALLOWED_NETWORKS: '10.20.0.0/16, fd00:1::/64 192.168.1.5' }).fin.allowedNetworks).toEqual([
      '10.20.0.0/16',
      'fd00:1::/64',
      '192.168.1.5/32',
    ]);
    expect(() => loadConfig({ FINCH_FIN_ALLOWED_NETWORKS: '10.0.0.0/8,intranet' })).toThrow(/^FINCH_FIN_ALLOWED_NETWORKS: "intranet" is not a network/);
    expect(() => loadConfig({ FINCH_FIN_ALLOWED_NETWORKS: '10.0.0.0/40' })).toThrow(ConfigError);
  });

  it('refuses an https:// FINCH_FIN_BASE_URL on a private, loopback or link-local literal unless its network is allowed', () => {
    for (const url of ['https://169.254.169.254', 'https://10.0.0.1', 'https://[::ffff:127.0.0.1]', 'https://2130706433', 'https://localhost']) {
      expect(() => loadConfig({ FINCH_FIN_BASE_URL: url }), url).toThrow(
        /^FINCH_FIN_BASE_URL must not point to .* \(set FINCH_FIN_ALLOWED_NETWORKS to allow an on-premises network\)\.$/,
      );
    }
    expect(loadConfig({ FINCH_FIN_BASE_URL: 'https://10.0.0.1/', FINCH_FIN_ALLOWED_NETWORKS: '10.0.0.0/8' }).fin).toEqual({
      baseUrl: 'https://10.0.0.1',
      allowedNetworks: ['10.0.0.0/8'],
    });
    expect(loadConfig({ FINCH_FIN_BASE_URL: 'https://fin.internal.example' }).fin.baseUrl).toBe('https://fin.internal.example');
    // http:// stays loopback-only, whatever is allowed.
    expect(() => loadConfig({ FINCH_FIN_BASE_URL: 'http://10.0.0.1', FINCH_FIN_ALLOWED_NETWORKS: '10.0.0.0/8' })).toThrow(
      /http:\/\/ is allowed only for localhost/,
    );
    expect(loadConfig({ FINCH_FIN_BASE_URL: 'http://127.0.0.1:8081' }).fin.baseUrl).toBe('http://127.0.0.1:8081');
  });
  it('reads FINCH_METRICS_TOKEN (unset: /metrics for loopback only) and FINCH_METRICS_PORT (unset: a worker serves no HTTP)', () => {
    expect(loadConfig({})).toMatchObject({ metricsToken: undefined, metricsPort: undefined });
    const token = 'a'.repeat(16);
    expect(loadConfig({ FINCH_METRICS_TOKEN: token, FINCH_METRICS_PORT: '9464' })).toMatchObject({ metricsToken: token, metricsPort: 9464 });
    expect(loadConfig({ FINCH_METRICS_PORT: '' }).metricsPort).toBeUndefined();
    // Non-ASCII (é, a control character) could never match a scraper's header: refused at start.
    for (const bad of ['', '   ', 'short', `${token} x`, '0123456789abcdéf0123', `${token}\u0007`]) {
      expect(() => loadConfig({ FINCH_METRICS_TOKEN: bad }), JSON.stringify(bad)).toThrow(/FINCH_METRICS_TOKEN/);
    }
    // The refusal never echoes the value: it is a secret.
    expect(() => loadConfig({ FINCH_METRICS_TOKEN: 'secret-ish' })).toThrow(/^(?!.*secret-ish)/);
    for (const bad of ['70000', '-1', 'x']) expect(() => loadConfig({ FINCH_METRICS_PORT: bad }), bad).toThrow(/FINCH_METRICS_PORT/);
  });
  it('reads FINCH_SHUTDOWN_DELAY in whole seconds, 0 (stop at once) unless set', () => {
    expect(loadConfig({}).shutdownDelaySeconds).toBe(0);
    expect(loadConfig({ FINCH_SHUTDOWN_DELAY: '' }).shutdownDelaySeconds).toBe(0);
    expect(loadConfig({ FINCH_SHUTDOWN_DELAY: '5' }).shutdownDelaySeconds).toBe(5);
    for (const bad of ['-1', '301', '1.5', '5s'])
      expect(() => loadConfig({ FINCH_SHUTDOWN_DELAY: bad }), bad).toThrow(/FINCH_SHUTDOWN_DELAY must be a whole number from 0 to 300/);
  });
});
