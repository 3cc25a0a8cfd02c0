/**
 * Headers on every answer, on SQLite and PostgreSQL: `Cache-Control: no-store` on every answer
 * that carries a secret (and every API answer), `Strict-Transport-Security` when Finch is reached
 * over HTTPS, no MIME sniffing, no referrer; pages and files that set their own caching keep it.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends } from '../support/finch.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, type RunningServer } from './server.js';

const PUBLIC = 'https://finch.example.com';
const HSTS = 'max-age=31536000; includeSubDomains';

describe.each(sqlBackends())('headers on %s', (backend) => {
  let server: RunningServer;
  let admin: AgentClient;
  /** Every answer the test got, by what it was. */
  const answers: { what: string; headers: Headers }[] = [];
  const keep = <R extends { headers: Headers; status: number }>(what: string, response: R): R => {
    answers.push({ what: `${what} (${response.status})`, headers: response.headers });
    return response;
  };

  beforeAll(async () => {
    server = await startServer(backend, { publicUrl: PUBLIC });
    const signIn = await fetch(`${server.baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    keep('POST /api/v1/session', signIn);
    admin = await AgentClient.signIn(server.baseUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  afterAll(() => server?.close());

  it('answers with a secret say no-store: sessions, tokens, OAuth clients, invited passwords, Fin settings, the token endpoint, signed file URLs', async () => {
    keep('GET /api/v1/session', await admin.get('/session'));
    const token = keep('POST /api/v1/tokens', await admin.post('/tokens', { name: 'script' }));
    expect(token.status).toBe(201);
    keep('POST /api/v1/tokens (fin)', await admin.post('/tokens', { name: 'fin', scope: 'fin' }));
    const client = keep('POST /api/v1/oauth-clients', await admin.post('/oauth-clients', { name: 'Fin' }));
    expect(client.status).toBe(201);
    const invited = keep('POST /api/v1/agents', await admin.post('/agents', { name: 'Gus', email: 'gus@example.com' }));
    expect(invited.body.password).toEqual(expect.any(String));
    keep('PUT /api/v1/settings/fin', await admin.put('/settings/fin', { integration_id: 'int_1', webhook_key: 'a webhook key', region: 'eu' }));
    keep('GET /api/v1/settings/fin', await admin.get('/settings/fin'));
    keep('GET /api/v1/agents', await admin.get('/agents'));
    keep('GET /api/v1/conversations', await admin.get('/conversations'));
    keep('GET /api/v1/nothing', await admin.get('/nothing-here'));
    keep('GET /api/v1/session (401)', await new AgentClient(server.baseUrl).request('GET', '/session'));

    const credentials = Buffer.from(`nobody:wrong`).toString('base64');
    keep(
      'POST /oauth/token (401)',
      await fetch(`${server.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      }),
    );
    const upload = keep(
      'POST /api/v1/attachments',
      await fetch(`${server.baseUrl}/api/v1/attachments?filename=a.txt`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...admin.authHeaders(), 'x-csrf-token': admin.csrfToken! },
        body: 'hello',
      }),
    );
    expect(upload.status).toBe(201);
    keep('GET /api/fin/agents', await fetch(`${server.baseUrl}/api/fin/agents`, { headers: { authorization: `Bearer ${server.finToken}` } }));
    keep('GET /api/fin/agents (401)', await fetch(`${server.baseUrl}/api/fin/agents`));
    keep('GET /health', await fetch(`${server.baseUrl}/health`));
    expect(keep('GET /health/live', await fetch(`${server.baseUrl}/health/live`)).status).toBe(200);
    expect(keep('GET /health/ready', await fetch(`${server.baseUrl}/health/ready`)).status).toBe(200);
    expect(keep('GET /metrics', await fetch(`${server.baseUrl}/metrics`)).status).toBe(200);
    keep('GET /nowhere (404)', await fetch(`${server.baseUrl}/nowhere`));

    const issued = await fetch(`${server.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.body.client_id, client_secret: client.body.client_secret }),
    });
    expect(issued.status).toBe(200);
    keep('POST /oauth/token', issued);

    for (const { what, headers } of answers) {
      expect(headers.get('cache-control'), what).toBe('no-store');
      expect(headers.get('strict-transport-security'), what).toBe(HSTS);
      expect(headers.get('x-content-type-options'), what).toBe('nosniff');
    }
  });

  it('pages, assets and signed files keep their own caching, with HSTS and no sniffing; so does the event stream', async () => {
    const page = await fetch(`${server.baseUrl}/`);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
    const upload = await fetch(`${server.baseUrl}/api/v1/attachments?filename=a.txt`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...admin.authHeaders(), 'x-csrf-token': admin.csrfToken! },
      body: 'hello',
    });
    const { url } = (await upload.json()) as { url: string };
    const file = await fetch(`${server.baseUrl}${url.slice(PUBLIC.length)}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('cache-control')).toBe('private, max-age=3600');
    // A signed URL is a permission: it must not leave in a Referer header (a link in a PDF).
    expect(file.headers.get('referrer-policy')).toBe('no-referrer');

    const controller = new AbortController();
    const stream = await fetch(`${server.baseUrl}/api/v1/events`, { headers: admin.authHeaders(), signal: controller.signal });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    controller.abort();
    for (const [what, response] of [
      ['page', page],
      ['file', file],
      ['event stream', stream],
    ] as const) {
      expect(response.headers.get('strict-transport-security'), what).toBe(HSTS);
      expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
    }
  });
});

describe.each(sqlBackends())('headers over plain HTTP on %s', (backend) => {
  it('sends no Strict-Transport-Security when FINCH_PUBLIC_URL is http://, but still no-store', async () => {
    const server = await startServer(backend, { publicUrl: 'http://127.0.0.1:8080' });
    try {
      for (const response of [
        await fetch(`${server.baseUrl}/health`),
        await fetch(`${server.baseUrl}/api/v1/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
        }),
      ]) {
        expect(response.headers.get('strict-transport-security')).toBeNull();
        expect(response.headers.get('cache-control')).toBe('no-store');
      }
    } finally {
      await server.close();
    }
  });
});

/** A raw HTTP/1.1 exchange, for requests no HTTP client will send (raw bytes in the path). */
function rawRequest(baseUrl: string, head: Buffer): Promise<{ status: number; headers: Map<string, string>; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(head));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [headText = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = headText.split('\r\n');
      const headers = new Map(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

describe.each(sqlBackends())('headers on answers outside routing on %s', (backend) => {
  let server: RunningServer;
  // An upper-case scheme is still HTTPS (schemes are case-insensitive).
  beforeAll(async () => {
    server = await startServer(backend, { publicUrl: 'HTTPS://Finch.Example.com' });
  });
  afterAll(() => server?.close());

  it('a malformed URL is a problem with every security header', async () => {
    const response = await fetch(`${server.baseUrl}/api/v1/conversations/%ED%A0%80`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('strict-transport-security')).toBe(HSTS);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it("what Node's parser refuses (raw bytes in the path) is a problem with every security header", async () => {
    const head = Buffer.concat([Buffer.from('GET /api/v1/conversations?q='), Buffer.from('खाता', 'utf8'), Buffer.from(' HTTP/1.1\r\nHost: localhost\r\n\r\n')]);
    const answer = await rawRequest(server.baseUrl, head);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 400, code: 'bad_request' });
    expect(answer.headers.get('strict-transport-security')).toBe(HSTS);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sets Secure on the session cookie', async () => {
    const signIn = await fetch(`${server.baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    expect(signIn.status).toBe(200);
    expect(signIn.headers.getSetCookie().join('\n')).toMatch(/finch_session=[^;]+;.*Secure/);
  });
});
