/**
 * The typed client example (examples/typed-client) pointed at an address where no Finch answers:
 * one line naming the address and the reason, exit 1, no stack trace. Its dependencies are
 * installed by test/openapi/typed-client.test.ts (`npm ci --prefix examples/typed-client`); without
 * them this test is skipped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const example = path.resolve(import.meta.dirname, '../../examples/typed-client');

/** A loopback port nothing listens on (taken from the system, then freed). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(!existsSync(path.join(example, 'node_modules/openapi-fetch')))('the typed client example without a Finch', () => {
  it('says in one line that it cannot reach it (exit 1, no stack trace)', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = spawnSync(process.execPath, ['list-conversations.mjs'], {
      cwd: example,
      env: { PATH: process.env.PATH, FINCH_URL: url, FINCH_EMAIL: 'ada@example.com', FINCH_PASSWORD: 'irrelevant' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([`Cannot reach Finch at ${url} (ECONNREFUSED). Is it running? Set FINCH_URL to its address.`]);
    expect(result.stdout).toBe('');
  });
});
