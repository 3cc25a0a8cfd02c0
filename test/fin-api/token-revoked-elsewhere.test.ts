/**
 * A token revoked by another process is refused at once, even right after it was accepted: the
 * revocation is written over a connection of its own, as another node or a second process on the
 * SQLite file would, never through the server's stores. The guard for any cache of tokens (one was
 * measured and not kept: bench/README.md, "Where the time goes").
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/domain/auth/credentials.js';
import { expectProblem } from '../support/contract.js';
import { backends, startTestFinch, type TestFinch } from '../support/finch.js';

/** Runs one statement over a connection of its own, as another process would. */
async function elsewhere(finch: TestFinch, statement: string, parameters: unknown[]): Promise<void> {
  if (finch.backend === 'sqlite') {
    const other = new BetterSqlite3(finch.database!.location);
    try {
      other.prepare(statement.replaceAll(/\$\d+/g, '?')).run(...parameters);
    } finally {
      other.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: finch.databaseUrl });
  await client.connect();
  try {
    await client.query(statement, parameters);
  } finally {
    await client.end();
  }
}

describe.each(backends().filter((backend) => backend !== 'memory'))('tokens changed by another process on %s', (backend) => {
  let finch: TestFinch;
  beforeAll(async () => {
    finch = await startTestFinch(backend, { tokenTtlSeconds: 600 });
  });
  afterAll(() => finch?.close());

  async function newToken(): Promise<{ clientId: string; accessToken: string }> {
    const { clientId, clientSecret } = await createClient(finch.credentials, 'elsewhere', finch.clock.now());
    const response = await fetch(`${finch.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
    });
    const { access_token: accessToken } = (await response.json()) as { access_token: string };
    return { clientId, accessToken };
  }
  const call = (token: string) => finch.client('rest', { token }).call('get_agents');

  it('refuses at once a token whose client another process revoked', async () => {
    const { clientId, accessToken } = await newToken();
    // Accepted twice, as a cache would keep it.
    expect((await call(accessToken)).status).toBe(200);
    expect((await call(accessToken)).status).toBe(200);
    await elsewhere(finch, 'UPDATE oauth_clients SET revoked_at = $1 WHERE id = $2', [finch.clock.now().toISOString(), clientId]);
    const refused = await call(accessToken);
    expectProblem(refused, 401, 'token_revoked');
  });

  it('refuses at once a token another process deleted, and accepts one it added', async () => {
    const { accessToken } = await newToken();
    expect((await call(accessToken)).status).toBe(200);
    expect((await call(accessToken)).status).toBe(200);
    await elsewhere(finch, 'DELETE FROM access_tokens', []);
    expectProblem(await call(accessToken), 401, 'token_unknown');
    const { accessToken: next } = await newToken();
    expect((await call(next)).status).toBe(200);
  });

  it('refuses a token at its expiry, however often it was accepted before', async () => {
    const { accessToken } = await newToken();
    for (let i = 0; i < 3; i++) expect((await call(accessToken)).status).toBe(200);
    finch.clock.advance(600_000);
    try {
      expectProblem(await call(accessToken), 401, 'token_expired');
    } finally {
      finch.clock.advance(-600_000);
    }
  });

  it('refuses every request sent after the revocation committed, while requests in flight share their token reads', async () => {
    const { clientId, accessToken } = await newToken();
    // 16 callers in a loop keep shared token reads out (PostgreSQL) and event-loop turns full
    // (SQLite) while the revocation commits on a connection of its own.
    let revokedAt: number | undefined;
    const late: number[] = [];
    let stop = false;
    const caller = async () => {
      while (!stop) {
        const sent = performance.now();
        const { status } = await call(accessToken);
        if (revokedAt !== undefined && sent > revokedAt) late.push(status);
        else expect([200, 401]).toContain(status);
      }
    };
    const callers = Array.from({ length: 16 }, caller);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await elsewhere(finch, 'UPDATE oauth_clients SET revoked_at = $1 WHERE id = $2', [finch.clock.now().toISOString(), clientId]);
    revokedAt = performance.now();
    while (late.length < 64) await new Promise((resolve) => setTimeout(resolve, 10));
    stop = true;
    await Promise.all(callers);
    expect(late.filter((status) => status !== 401)).toEqual([]);
  });
});
