/**
 * FINCH_FIN_ALLOWED_IPS on SQLite and PostgreSQL, over real HTTP: the Fin API (both variants) and
 * the token endpoint answer only clients in the listed networks, IPv4 and IPv6; any other gets a
 * 403 problem and one warning in the log. Other clients are simulated by a trusted proxy's
 * X-Forwarded-For (FINCH_TRUST_PROXY); an untrusted proxy's is ignored, and the answer says why.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sqlBackends } from '../support/finch.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, type RunningServer } from './server.js';

describe.each(sqlBackends())('FINCH_FIN_ALLOWED_IPS on %s', (backend) => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** The statuses of Fin's three doors (REST, POST-only, the token endpoint) for a client said to be at `from`. */
  async function doors(from?: string): Promise<number[]> {
    const s = server!;
    const forwarded: Record<string, string> = from ? { 'x-forwarded-for': from } : {};
    const rest = await fetch(`${s.baseUrl}/api/fin/agents`, { headers: { authorization: `Bearer ${s.finToken}`, ...forwarded } });
    const post = await fetch(`${s.baseUrl}/api/fin/get_agents`, { method: 'POST', headers: { authorization: `Bearer ${s.finToken}`, ...forwarded } });
    const token = await fetch(`${s.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...forwarded },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: s.clientId, client_secret: s.clientSecret }).toString(),
    });
    return [rest.status, post.status, token.status];
  }

  const refusals = () =>
    server!
      .log()
      .split('\n')
      .filter((line) => line.includes('"client_address"'))
      .map((line) => JSON.parse(line) as Record<string, any>);

  it('lets in loopback when it is listed, and refuses a client outside the list behind a trusted proxy', async () => {
    server = await startServer(backend, { env: { FINCH_FIN_ALLOWED_IPS: '127.0.0.1, 2001:db8:1::/48', FINCH_TRUST_PROXY: '127.0.0.1' } });
    expect(await doors()).toEqual([200, 200, 200]);
    expect(await doors('2001:db8:1:2::7')).toEqual([200, 200, 200]);
    expect(await doors('203.0.113.9')).toEqual([403, 403, 403]);
    expect(await doors('2001:db8:2::7')).toEqual([403, 403, 403]);
    expect(refusals()).toHaveLength(6);
    expect(refusals()[0]).toMatchObject({ level: 40, client_address: '203.0.113.9', setting: 'FINCH_FIN_ALLOWED_IPS', forwarded_for_ignored: false });
  });

  it('refuses loopback when the list leaves it out, with a problem that names the setting and the proxy setting', async () => {
    server = await startServer(backend, { env: { FINCH_FIN_ALLOWED_IPS: '203.0.113.0/24' } });
    expect(await doors()).toEqual([403, 403, 403]);
    const token = await fetch(`${server.baseUrl}/oauth/token`, { method: 'POST', body: 'grant_type=client_credentials' });
    expect(token.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await token.json()) as { code: string; detail: string; status: number };
    expect(problem).toMatchObject({ status: 403, code: 'client_not_allowed' });
    expect(problem.detail).toContain('127.0.0.1');
    expect(problem.detail).toContain('FINCH_FIN_ALLOWED_IPS');
    expect(problem.detail).toContain('FINCH_TRUST_PROXY');
    const rest = await fetch(`${server.baseUrl}/api/fin/agents`, { headers: { authorization: `Bearer ${server.finToken}` } });
    expect(await rest.json()).toMatchObject({ status: 403, code: 'client_not_allowed' });
    const post = await fetch(`${server.baseUrl}/api/fin/get_agents`, { method: 'POST', headers: { authorization: `Bearer ${server.finToken}` } });
    expect(await post.json()).toMatchObject({ data: null, error: { status: 403, code: 'client_not_allowed' } });

    // An untrusted proxy cannot vouch for a listed address, and the log says it was ignored.
    expect(await doors('203.0.113.9')).toEqual([403, 403, 403]);
    expect(refusals().at(-1)).toMatchObject({ client_address: '127.0.0.1', forwarded_for_ignored: true });
    expect(refusals().at(-1)!.msg).toContain('FINCH_TRUST_PROXY');
  });

  it('lets in a listed client behind a trusted proxy, and leaves the agent API open to everyone', async () => {
    server = await startServer(backend, { env: { FINCH_FIN_ALLOWED_IPS: '203.0.113.0/24', FINCH_TRUST_PROXY: '127.0.0.1' } });
    expect(await doors('203.0.113.9')).toEqual([200, 200, 200]);
    expect(await doors()).toEqual([403, 403, 403]);
    const signIn = await fetch(`${server.baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    expect(signIn.status).toBe(200);
    expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
  });
});
