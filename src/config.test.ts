import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('needs nothing: SQLite under ./data, port 8080, loopback', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, dataDir: path.resolve('data'), databaseUrl: undefined, signingSecret: undefined, signatureToleranceSeconds: 300 });
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
    expect(config).toMatchObject({ host: '0.0.0.0', port: 9000, publicUrl: 'https://help.example.com', databaseUrl: 'postgres://finch@db/finch', signingSecret: 's', signatureToleranceSeconds: 60, tokenTtlSeconds: 900 });
  });

  it('refuses values it cannot use, naming the variable', () => {
    expect(() => loadConfig({ FINCH_PORT: '70000' })).toThrow(/FINCH_PORT/);
    expect(() => loadConfig({ FINCH_TOKEN_TTL: '1.5' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'sqlite:finch.db' })).toThrow(/DATABASE_URL/);
  });
});
