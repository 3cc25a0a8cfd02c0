/**
 * Who may use the agent API: signing in and out, sessions (cookie + CSRF), personal tokens, roles,
 * and the sign-in rate limit. Every refusal is a problem object.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/domain/auth/credentials.js';
import type { Agent } from '../../src/domain/model.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, makeAgent } from '../support/helpdesk.js';

describe.each(sqlBackends())('agent API authentication on %s', (backend) => {
  let finch: TestFinch;
  let admin: Agent;
  let agent: Agent;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    admin = await makeAgent(finch, 'Ada Admin', 'admin');
    agent = await makeAgent(finch, 'Sam Agent');
  });
  afterAll(() => finch?.close());

  it('signs in with email and password: an HTTP-only cookie and a CSRF token', async () => {
    const client = new AgentClient(finch.baseUrl);
    const response = await client.post('/session', { email: 'SAM.AGENT@example.com', password: PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ agent: { id: agent.id, role: 'agent', email: 'sam.agent@example.com' }, csrf_token: expect.any(String) });
    expect(response.headers.get('set-cookie')).toMatch(/^finch_session=fss_[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800$/);
    const me = await client.get('/session');
    expect(me.body).toMatchObject({ agent: { id: agent.id }, csrf_token: response.body.csrf_token });
  });

  it.each([
    ['a wrong password', 'sam.agent@example.com', 'not the password'],
    ['an unknown email', 'nobody@example.com', PASSWORD],
    ['the Fin agent', 'fin@finch.invalid', PASSWORD],
  ])('refuses %s with the same 401', async (_label, email, password) => {
    const response = await new AgentClient(finch.baseUrl).post('/session', { email, password });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 401, code: 'invalid_credentials', detail: 'The email or password is wrong.' });
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a request without a session or token', async () => {
    const response = await new AgentClient(finch.baseUrl).get('/conversations');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="finch"');
    expect(response.body).toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses a change made with the cookie but without the CSRF token (403)', async () => {
    const client = await AgentClient.signIn(finch.baseUrl, 'sam.agent@example.com', PASSWORD);
    const missing = await client.request('POST', '/tokens', { name: 'x' }, { csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({ code: 'csrf_failed' });
    const wrong = await client.request('POST', '/tokens', { name: 'x' }, { csrf: false, headers: { 'x-csrf-token': 'guess' } });
    expect(wrong.status).toBe(403);
    expect((await client.post('/tokens', { name: 'x' })).status).toBe(201);
  });

  it('ends a session on sign-out, and after 12 idle hours', async () => {
    const client = await AgentClient.signIn(finch.baseUrl, 'sam.agent@example.com', PASSWORD);
    const stolenCookie = (client as unknown as { cookie: string }).cookie;
    expect((await client.delete('/session')).status).toBe(204);
    const replay = await fetch(`${finch.baseUrl}/api/v1/session`, { headers: { cookie: stolenCookie } });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: 'session_revoked' });

    const idle = await AgentClient.signIn(finch.baseUrl, 'sam.agent@example.com', PASSWORD);
    finch.clock.advance(12 * 3_600_000 + 1000);
    try {
      const expired = await idle.get('/session');
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ code: 'session_expired' });
    } finally {
      finch.clock.advance(-(12 * 3_600_000 + 1000));
    }
  });

  it('accepts a personal API token without CSRF, and refuses it once revoked', async () => {
    const { token, id } = await createApiToken(finch.credentials, { name: 'script', scope: 'agent', agentId: agent.id }, finch.clock.now());
    const script = new AgentClient(finch.baseUrl, token);
    expect((await script.get('/session')).body).toMatchObject({ agent: { id: agent.id }, csrf_token: null });
    expect((await script.post('/tokens', { name: 'from a script' })).status).toBe(201);
    await finch.credentials.revokeApiToken(id, finch.clock.now().toISOString());
    const revoked = await script.get('/conversations');
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ code: 'token_revoked' });
  });

  it('guards the password change like every change: a session or personal token, and the CSRF token with a session', async () => {
    const body = { current_password: PASSWORD, new_password: 'velvet arcade pinecone 93' };
    const anonymous = await new AgentClient(finch.baseUrl).post('/me/password', body);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ code: 'unauthenticated' });
    expect((await new AgentClient(finch.baseUrl, finch.token).post('/me/password', body)).status).toBe(403);
    const client = await AgentClient.signIn(finch.baseUrl, 'sam.agent@example.com', PASSWORD);
    const withoutCsrf = await client.request('POST', '/me/password', body, { csrf: false });
    expect(withoutCsrf.status).toBe(403);
    expect(withoutCsrf.body).toMatchObject({ code: 'csrf_failed' });
    // Nothing changed: the old password still signs in.
    expect((await new AgentClient(finch.baseUrl).post('/session', { email: 'sam.agent@example.com', password: PASSWORD })).status).toBe(200);
  });

  it("refuses Fin's tokens on the agent API (403)", async () => {
    const response = await new AgentClient(finch.baseUrl, finch.token).get('/conversations');
    expect(response.status).toBe(403);
  });

  it('refuses an agent acting as admin (403), and lets the admin', async () => {
    const client = await AgentClient.signIn(finch.baseUrl, 'sam.agent@example.com', PASSWORD);
    for (const [method, path, body] of [
      ['GET', '/deliveries', undefined],
      ['GET', '/settings/fin', undefined],
      ['PUT', '/settings/fin', { integration_id: 'x' }],
      ['POST', '/agents', { name: 'X', email: 'x@example.com' }],
      ['GET', '/oauth-clients', undefined],
      ['POST', '/deliveries/replay', { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }],
      ['POST', '/tokens', { name: 'fin', scope: 'fin' }],
      ['GET', '/settings/fin/signature-report', undefined],
    ] as const) {
      const response = await client.request(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.body).toMatchObject({ code: 'forbidden' });
    }
    const adminClient = await AgentClient.signIn(finch.baseUrl, 'ada.admin@example.com', PASSWORD);
    expect((await adminClient.get('/settings/fin')).status).toBe(200);
    expect((await adminClient.get('/settings/fin/signature-report')).status).toBe(200);
  });

  it('refuses every route of the agent API without credentials (401), except signing in', async () => {
    // Read from the OpenAPI document, so that a route added later is covered without being listed here.
    const doc = (await (await fetch(`${finch.baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => [method.toUpperCase(), path.slice('/api/v1'.length).replace(/\{[^}]+\}/g, 'x')] as const),
      )
      .filter(([method, path]) => !(method === 'POST' && path === '/session'));
    expect(routes.length).toBeGreaterThan(25);
    for (const [method, path] of routes) {
      const response = await new AgentClient(finch.baseUrl).request(method as 'GET', path, method === 'GET' || method === 'DELETE' ? undefined : {});
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });

  it('signs a deactivated agent out everywhere and keeps them out', async () => {
    const leaving = await makeAgent(finch, `Leaving ${backend}`);
    const session = await AgentClient.signIn(finch.baseUrl, leaving.email, PASSWORD);
    const adminClient = await AgentClient.signIn(finch.baseUrl, 'ada.admin@example.com', PASSWORD);
    expect((await adminClient.patch(`/agents/${leaving.id}`, { active: false })).body).toMatchObject({ active: false });
    expect((await session.get('/session')).status).toBe(401);
    expect((await new AgentClient(finch.baseUrl).post('/session', { email: leaving.email, password: PASSWORD })).status).toBe(401);
  });

  it('reads a personal token with its agent as the agent is now: renamed at once, refused once deactivated', async () => {
    const holder = await makeAgent(finch, `Token Holder ${backend}`);
    const { token } = await createApiToken(finch.credentials, { name: 'script', scope: 'agent', agentId: holder.id }, finch.clock.now());
    const script = new AgentClient(finch.baseUrl, token);
    expect((await script.get('/session')).body).toMatchObject({ agent: { id: holder.id, name: `Token Holder ${backend}`, active: true } });
    const adminClient = await AgentClient.signIn(finch.baseUrl, 'ada.admin@example.com', PASSWORD);
    expect((await adminClient.patch(`/agents/${holder.id}`, { name: 'Renamed Holder' })).status).toBe(200);
    expect((await script.get('/session')).body).toMatchObject({ agent: { id: holder.id, name: 'Renamed Holder' } });
    expect((await adminClient.patch(`/agents/${holder.id}`, { active: false })).status).toBe(200);
    const refused = await script.get('/conversations');
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'session_inactive' });
  });

  it('keeps the last admin', async () => {
    const adminClient = await AgentClient.signIn(finch.baseUrl, 'ada.admin@example.com', PASSWORD);
    const response = await adminClient.patch(`/agents/${admin.id}`, { role: 'agent' });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'last_admin' });
  });
});

describe('sign-in rate limit', () => {
  let finch: TestFinch;
  beforeAll(async () => {
    finch = await startTestFinch('sqlite', { loginRateLimit: 5 });
    await makeAgent(finch, 'Sam Agent');
  });
  afterAll(() => finch?.close());

  it('limits sign-in attempts per address and email (429)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await new AgentClient(finch.baseUrl).post('/session', { email: 'target@example.com', password: `guess ${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Padding or casing the email is the same email, not five more attempts.
    for (const email of ['  target@example.com', '\ttarget@example.com', 'TARGET@example.com\u00a0']) {
      expect((await new AgentClient(finch.baseUrl).post('/session', { email, password: 'another guess' })).status).toBe(429);
    }
    // Another email from the same address is counted apart.
    expect((await new AgentClient(finch.baseUrl).post('/session', { email: 'sam.agent@example.com', password: PASSWORD })).status).toBe(200);
  });
});
