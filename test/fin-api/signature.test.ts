/**
 * Spec §7, request signing: with a signing secret configured, every /api/fin request must carry a
 * valid X-Fin-Signature over `{timestamp}:{body}` (or the sorted query of a bodyless request).
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeaders } from '../../src/client/fin-client.js';
import { expectProblem } from '../support/contract.js';
import { startTestFinch, sqlBackends, type TestFinch } from '../support/finch.js';

const SECRET = 'whsec_test_signing_secret';

describe.each(['memory', ...sqlBackends()] as const)('request signatures on %s', (backend) => {
  let finch: TestFinch;
  let userId: string;
  beforeAll(async () => {
    finch = await startTestFinch(backend, { signingSecret: SECRET, signatureToleranceSeconds: 120 });
    const created = await finch.client('post', { signingSecret: SECRET }).call('create_user', { name: 'Signed', object_id: 'signed-user' });
    expect(created.status).toBe(200);
    userId = (created.payload as { id: string }).id;
  });
  afterAll(() => finch?.close());

  const seconds = () => Math.floor(finch.clock.now().getTime() / 1000);
  const sign = (payload: string, timestamp = seconds(), encoding: 'hex' | 'base64' | 'base64url' = 'hex') =>
    createHmac('sha256', SECRET).update(`${timestamp}:${payload}`).digest(encoding);

  const post = (body: string, headers: Record<string, string>) => finch.client('post').send('POST', `${finch.apiUrl}/get_user`, body, { headers });
  const get = (query: string, headers: Record<string, string>) => finch.client('rest').send('GET', `${finch.apiUrl}/messages?${query}`, undefined, { headers });

  it('accepts a body signed in hex, in base64, or with a sha256= prefix', async () => {
    const body = JSON.stringify({ user_id: userId });
    // One timestamp for the signatures and the header: a second boundary in between would break them.
    const ts = seconds();
    for (const signature of [sign(body, ts), sign(body, ts).toUpperCase(), sign(body, ts, 'base64'), sign(body, ts, 'base64url'), `sha256=${sign(body, ts)}`]) {
      const response = await post(body, { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': signature });
      expect(response.status, signature).toBe(200);
    }
  });

  it('signs every call of the Fin client, GET and POST, in both variants', async () => {
    for (const variant of ['rest', 'post'] as const) {
      const client = finch.client(variant, { signingSecret: SECRET });
      expect((await client.call('get_user', { user_id: userId })).status).toBe(200);
      expect((await client.call('get_agents')).status).toBe(200);
      expect((await client.call('update_user', { user_id: userId, attributes: { signed: true } })).status).toBe(200);
    }
  });

  it('accepts the sorted query of a GET, raw or URL-encoded, whatever order it was sent in', async () => {
    const conversation = await finch.client('rest', { signingSecret: SECRET }).call('create_conversation', {
      user_id: userId,
      initial_message: { body: 'Signed hello', author: { id: userId, user_type: 'end_user' } },
    });
    const conversationId = (conversation.payload as { conversation: { id: string } }).conversation.id;
    const afterId = 'msg_a b+c';
    const raw = `after_id=${afterId}&conversation_id=${conversationId}`;
    const encoded = `after_id=${encodeURIComponent(afterId)}&conversation_id=${encodeURIComponent(conversationId)}`;
    const sentInOtherOrder = `conversation_id=${conversationId}&after_id=${encodeURIComponent(afterId)}`;
    for (const payload of [raw, encoded]) {
      const ts = seconds();
      const response = await get(sentInOtherOrder, { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': sign(payload, ts) });
      expect(response.status, payload).toBe(200);
    }
  });

  it('accepts a POST without a body signed over its (empty) query', async () => {
    const ts = seconds();
    const response = await finch.client('post').send('POST', `${finch.apiUrl}/get_agents`, undefined, {
      headers: { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': sign('', ts) },
    });
    expect(response.status).toBe(200);
  });

  it.each([
    ['no signature headers', {}, 'signature_missing'],
    ['a timestamp without a signature', { 'x-fin-request-timestamp': 'now' }, 'signature_missing'],
    ['a timestamp that is not a number', { 'x-fin-request-timestamp': 'yesterday', 'x-fin-signature': 'ab' }, 'signature_invalid'],
  ] as const)('refuses a request with %s (401)', async (_label, headers, code) => {
    const body = JSON.stringify({ user_id: userId });
    const response = await post(body, { ...headers });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('FinSignature realm="finch"');
    expectProblem(response, 401, code);
  });

  it('refuses a wrong signature: another secret, another body, another timestamp, garbage', async () => {
    const body = JSON.stringify({ user_id: userId });
    const ts = seconds();
    const wrong = [
      createHmac('sha256', 'another secret').update(`${ts}:${body}`).digest('hex'),
      sign(JSON.stringify({ user_id: 'someone_else' }), ts),
      sign(body, ts - 1),
      'not-a-signature',
      sign(body, ts).slice(0, 40),
    ];
    for (const signature of wrong) {
      const response = await post(body, { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': signature });
      expect(response.status, signature).toBe(401);
      expectProblem(response, 401, 'signature_invalid');
    }
  });

  it('refuses a signed GET whose query was changed', async () => {
    const ts = seconds();
    const response = await get('conversation_id=conv_x', { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': sign('conversation_id=conv_y', ts) });
    expect(response.status).toBe(401);
  });

  it('refuses a timestamp outside the configured tolerance, in either direction', async () => {
    const body = JSON.stringify({ user_id: userId });
    for (const skew of [-121, 121, -3600]) {
      const ts = seconds() + skew;
      const response = await post(body, { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': sign(body, ts) });
      expect(response.status).toBe(401);
      expectProblem(response, 401, 'signature_stale');
    }
    const ts = seconds() - 100;
    expect((await post(body, { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': sign(body, ts) })).status).toBe(200);
  });

  it('checks the signature before reading the body, and changes nothing when it fails', async () => {
    const before = await finch.dump();
    const response = await finch.client('post').send('POST', `${finch.apiUrl}/create_user`, '{"name": "unsigned"', {});
    expect(response.status).toBe(401);
    const forged = JSON.stringify({ name: 'forged', object_id: 'forged' });
    const headers = signatureHeaders('wrong secret', forged, finch.clock.now());
    expect((await finch.client('post').send('POST', `${finch.apiUrl}/create_user`, forged, { headers })).status).toBe(401);
    expect(await finch.dump()).toBe(before);
  });

  it('still requires the bearer token on signed requests, and leaves the token endpoint unsigned', async () => {
    const body = JSON.stringify({ user_id: userId });
    const ts = seconds();
    const response = await finch.client('post').send('POST', `${finch.apiUrl}/get_user`, body, {
      token: '',
      headers: { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': sign(body, ts) },
    });
    expect(response.status).toBe(401);
    expectProblem(response, 401, 'unauthenticated');
    const token = await fetch(`${finch.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: finch.clientId, client_secret: finch.clientSecret }).toString(),
    });
    expect(token.status).toBe(200);
  });
});
