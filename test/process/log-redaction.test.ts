/**
 * No secret in the server's log, on SQLite and PostgreSQL: the log of a real server (Finch's own
 * logger settings, at info level) is read after signed file links were made and followed (valid,
 * forged), Fin read them, tokens went by in headers and in query strings, and errors happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinClient } from '../../src/client/fin-client.js';
import { loggableUrl, scrubSecrets } from '../../src/http/logging.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends } from '../support/finch.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, type RunningServer } from './server.js';

const PUBLIC = 'https://finch.example.com';

describe.each(sqlBackends())('the log on %s', (backend) => {
  let server: RunningServer;
  let admin: AgentClient;
  beforeAll(async () => {
    server = await startServer(backend, { publicUrl: PUBLIC });
    admin = await AgentClient.signIn(server.baseUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  afterAll(() => server?.close());

  it('has no signed file link, token, password or secret, though requests carried them', async () => {
    const secrets: string[] = [ADMIN_PASSWORD, server.finToken, server.clientSecret, admin.csrfToken!];
    const upload = await fetch(`${server.baseUrl}/api/v1/attachments?filename=report.pdf`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf', ...admin.authHeaders(), 'x-csrf-token': admin.csrfToken! },
      body: '%PDF-1.4 not really',
    });
    expect(upload.status).toBe(201);
    const { url } = (await upload.json()) as { url: string };
    const signature = new URL(url).searchParams.get('signature')!;
    secrets.push(signature);
    const local = `${server.baseUrl}${url.slice(PUBLIC.length)}`;

    // Followed many times (a browser showing an image, Fin fetching it), and forged.
    for (let i = 0; i < 5; i++) expect((await fetch(local)).status).toBe(200);
    expect((await fetch(local.replace(/signature=[\w-]+/, 'signature=forged-signature-value'))).status).toBe(403);
    expect((await fetch(local.replace(/expires=\d+/, 'expires=1'))).status).toBeGreaterThanOrEqual(400);

    // The link in a reply, read by Fin and by the inbox.
    const fin = new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'rest', token: server.finToken });
    const user = (await fin.call('create_user', { name: 'Eve', email: 'eve@example.com' })).payload as { id: string };
    const created = await fin.call('create_conversation', {
      title: 'Help',
      user_id: user.id,
      initial_message: { body: 'Hello', author: { id: user.id, user_type: 'end_user' } },
    });
    expect(created.status).toBe(201);
    const conversation = (created.payload as { conversation: { id: string } }).conversation;
    const replied = await admin.post(`/conversations/${conversation.id}/messages`, {
      body: '<p>Here</p>',
      attachments: [{ url, filetype: 'pdf', filename: 'report.pdf' }],
    });
    expect(replied.status).toBe(201);
    expect((await admin.get(`/conversations/${conversation.id}`)).status).toBe(200);
    const messages = await fin.call('get_messages', { conversation_id: conversation.id });
    expect(JSON.stringify(messages.payload)).toContain(signature);

    // Tokens where they do not belong: in query strings, on routes that exist and that do not.
    const token = (await admin.post('/tokens', { name: 'script' })).body.token as string;
    secrets.push(token);
    await fetch(`${server.baseUrl}/api/v1/conversations?access_token=${token}`);
    await fetch(`${server.baseUrl}/nowhere?token=${token}&api_key=${server.finToken}&password=${encodeURIComponent(ADMIN_PASSWORD)}`);
    await fetch(`${server.baseUrl}/api/fin/agents`, { headers: { authorization: `Bearer ${server.finToken}` } });
    await fetch(`${server.baseUrl}/api/fin/agents`, { headers: { authorization: `Bearer ${token}` } });

    const log = server.log();
    // The log did record these requests, with their paths.
    expect(log).toContain('"url":"/files/');
    expect(log.match(/incoming request/g)!.length).toBeGreaterThan(15);
    for (const secret of secrets) expect(log, secret).not.toContain(secret);
    expect(log).not.toContain('forged-signature-value');
    expect(log).not.toMatch(/signature=(?!\[redacted\])/);
    expect(log).not.toMatch(/(?:access_token|token|api_key|password)=(?!\[redacted\])/);
  });
});

describe('scrubbing a line', () => {
  it('removes signed-URL queries, tokens in query strings, passwords in URLs and Finch secrets, and keeps the rest', () => {
    expect(loggableUrl('/files/file_1/a.png?expires=1767225600&signature=abc')).toBe('/files/file_1/a.png?[redacted]');
    expect(loggableUrl('/api/v1/conversations?queue=waiting&access_token=fpt_x&limit=5')).toBe(
      '/api/v1/conversations?queue=waiting&access_token=[redacted]&limit=5',
    );
    expect(loggableUrl('/api/v1/conversations?queue=waiting')).toBe('/api/v1/conversations?queue=waiting');
    expect(scrubSecrets('connect to postgres://finch:s3cret@db:5432/finch failed')).toBe('connect to postgres://finch:[redacted]@db:5432/finch failed');
    expect(scrubSecrets('{"err":"GET https://finch.example.com/files/f/a.png?expires=1&signature=abc-DEF_1 failed"}')).toBe(
      '{"err":"GET https://finch.example.com/files/f/a.png?expires=1&signature=[redacted] failed"}',
    );
    expect(scrubSecrets(`token fat_${'A'.repeat(43)} and fcl_01ABC kept`)).toBe('token fat_[redacted] and fcl_01ABC kept');
    expect(scrubSecrets('{"msg":"Server listening at http://127.0.0.1:8080"}')).toBe('{"msg":"Server listening at http://127.0.0.1:8080"}');
  });
});
