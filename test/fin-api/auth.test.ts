/**
 * Spec §7, who may call: the OAuth token endpoint (client credentials, RFC 6749 errors), static
 * tokens, and the Fin API's 401/403 answers for every kind of bad credential.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIANTS } from '../../src/contract/models.js';
import { createApiToken, createClient } from '../../src/domain/auth/credentials.js';
import { expectProblem } from '../support/contract.js';
import { backends, startTestFinch, type TestFinch } from '../support/finch.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe.each(backends())('authentication on %s', (backend) => {
  let finch: TestFinch;
  beforeAll(async () => {
    finch = await startTestFinch(backend, { tokenTtlSeconds: 600 });
  });
  afterAll(() => finch?.close());

  const token = (body: string | undefined, headers: Record<string, string>) =>
    fetch(`${finch.baseUrl}/oauth/token`, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });

  describe('POST /oauth/token', () => {
    it('issues a bearer token to a client authenticated with HTTP Basic', async () => {
      const response = await token('grant_type=client_credentials', {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(finch.clientId, finch.clientSecret),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as { access_token: string };
      expect(body).toEqual({ access_token: expect.stringMatching(/^fat_/), token_type: 'Bearer', expires_in: 600 });
      const call = await finch.client('rest', { token: body.access_token }).call('get_agents');
      expect(call.status).toBe(200);
    });

    it('accepts the client credentials in a form body or a JSON body', async () => {
      const form = await token(
        new URLSearchParams({ grant_type: 'client_credentials', client_id: finch.clientId, client_secret: finch.clientSecret }).toString(),
        { 'content-type': 'application/x-www-form-urlencoded' },
      );
      expect(form.status).toBe(200);
      const json = await token(JSON.stringify({ grant_type: 'client_credentials', client_id: finch.clientId, client_secret: finch.clientSecret }), {
        'content-type': 'application/json',
      });
      expect(json.status).toBe(200);
    });

    it.each([
      ['a wrong secret', () => basic(finch.clientId, 'fcs_wrong')],
      ['an unknown client', () => basic('fcl_unknown', finch.clientSecret)],
      ['Basic credentials without a colon', () => `Basic ${Buffer.from('nocolon').toString('base64')}`],
    ])('answers 401 invalid_client for %s', async (_label, authorization) => {
      const response = await token('grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded', authorization: authorization() });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="finch"/);
      expect(await response.json()).toMatchObject({ error: 'invalid_client', error_description: expect.any(String), status: 401 });
    });

    it('answers 401 invalid_client when the client does not authenticate at all', async () => {
      const response = await token('grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    });

    it('answers 400 unsupported_grant_type for other grants', async () => {
      const response = await token('grant_type=password&username=a&password=b', {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(finch.clientId, finch.clientSecret),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'unsupported_grant_type' });
    });

    it('answers 400 invalid_request for a missing grant type, two client authentications, or a body that is not a form or JSON', async () => {
      const missing = await token('', { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(finch.clientId, finch.clientSecret) });
      expect(missing.status).toBe(400);
      expect(await missing.json()).toMatchObject({ error: 'invalid_request' });
      const twice = await token(`grant_type=client_credentials&client_id=${finch.clientId}&client_secret=${finch.clientSecret}`, {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(finch.clientId, finch.clientSecret),
      });
      expect(twice.status).toBe(400);
      expect(await twice.json()).toMatchObject({ error: 'invalid_request' });
      const xml = await token('<grant/>', { 'content-type': 'application/xml', authorization: basic(finch.clientId, finch.clientSecret) });
      expect(xml.status).toBe(400);
      expect(await xml.json()).toMatchObject({ error: 'invalid_request' });
    });

    it('stores only hashes of client secrets and access tokens', async () => {
      if (!finch.database) return;
      const dump = await finch.dump();
      expect(dump).not.toContain(finch.clientSecret);
      expect(dump).not.toContain(finch.token);
      expect(dump).toContain(createHash('sha256').update(finch.token).digest('hex'));
    });
  });

  describe.each(VARIANTS)('the Fin API (%s variant)', (variant) => {
    const call = (bearer: string | undefined, headers: Record<string, string> = {}) =>
      finch.client(variant).call('get_agents', {}, { token: bearer ?? '', headers });

    it('answers 401 with a Bearer challenge when no token is sent', async () => {
      const response = await call(undefined);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="finch"');
      expectProblem(response, 401, 'unauthenticated');
    });

    it.each([
      ['another scheme', { authorization: 'Token abc' }],
      ['an empty bearer', { authorization: 'Bearer ' }],
      ['two tokens', { authorization: 'Bearer a b' }],
    ])('answers 401 for %s', async (_label, headers) => {
      const response = await call(undefined, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="finch"/);
    });

    it('answers 401 invalid_token for an unknown token', async () => {
      for (const bad of ['fat_notissued', 'fpt_notissued', 'whatever']) {
        const response = await call(bad);
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
        expectProblem(response, 401, 'token_unknown');
      }
    });

    it('accepts the scheme in any case', async () => {
      const response = await finch.client(variant).call('get_agents', {}, { token: '', headers: { authorization: `bearer ${finch.token}` } });
      expect(response.status).toBe(200);
    });

    it('answers 401 token_expired once a token has expired', async () => {
      const { clientId, clientSecret } = await createClient(finch.credentials, 'expiring', finch.clock.now());
      const response = await token(`grant_type=client_credentials`, {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(clientId, clientSecret),
      });
      const { access_token: accessToken } = (await response.json()) as { access_token: string };
      expect((await call(accessToken)).status).toBe(200);
      finch.clock.advance(601_000);
      try {
        const expired = await call(accessToken);
        expect(expired.status).toBe(401);
        expectProblem(expired, 401, 'token_expired');
        expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
      } finally {
        finch.clock.advance(-601_000);
      }
    });

    it('answers 401 token_revoked for the tokens of a revoked client, and refuses it new ones', async () => {
      const { clientId, clientSecret } = await createClient(finch.credentials, 'revoked', finch.clock.now());
      const issued = (await (
        await token('grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, clientSecret) })
      ).json()) as { access_token: string };
      expect((await call(issued.access_token)).status).toBe(200);
      await finch.credentials.revokeClient(clientId, finch.clock.now().toISOString());
      const revoked = await call(issued.access_token);
      expect(revoked.status).toBe(401);
      expectProblem(revoked, 401, 'token_revoked');
      const again = await token('grant_type=client_credentials', {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(clientId, clientSecret),
      });
      expect(again.status).toBe(401);
    });

    it('accepts a static Fin API token until it is revoked', async () => {
      const created = await createApiToken(finch.credentials, { name: 'static', scope: 'fin', agentId: null }, finch.clock.now());
      expect((await call(created.token)).status).toBe(200);
      await finch.credentials.revokeApiToken(created.id, finch.clock.now().toISOString());
      const revoked = await call(created.token);
      expect(revoked.status).toBe(401);
      expectProblem(revoked, 401, 'token_revoked');
    });

    it("answers 403 to an agent's personal token: valid, but not for the Fin API", async () => {
      const agent = await finch.store.insertAgent({
        name: `Agent ${variant}`,
        email: `agent-${variant}@example.com`,
        alias: null,
        photoUrl: null,
        role: 'agent',
        isFin: false,
        passwordHash: null,
        at: finch.clock.now().toISOString(),
      });
      const personal = await createApiToken(finch.credentials, { name: 'mine', scope: 'agent', agentId: agent.id }, finch.clock.now());
      const response = await call(personal.token);
      expect(response.status).toBe(403);
      expectProblem(response, 403, 'forbidden');
    });
  });
});

describe('token endpoint rate limit', () => {
  let finch: TestFinch;
  beforeAll(async () => {
    finch = await startTestFinch('memory', { tokenRateLimitPerMinute: 3 });
  });
  afterAll(() => finch?.close());

  it('answers 429 with Retry-After once a client address asks too often', async () => {
    // startTestFinch used one request for its own token.
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${finch.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(finch.clientId, finch.clientSecret) },
        body: 'grant_type=client_credentials',
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(last!.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await last!.json()).toMatchObject({ status: 429, code: 'rate_limited' });
  });
});
