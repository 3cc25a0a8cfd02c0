/**
 * Files attached to replies, on SQLite and PostgreSQL: uploaded through the agent API, stored by
 * Finch, served at signed URLs that expire; refused without an HTTPS public URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

const PUBLIC = 'https://finch.example.com';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe.each(sqlBackends())('attachments on %s', (backend) => {
  let finch: TestFinch;
  let agent: AgentClient;
  beforeAll(async () => {
    finch = await startTestFinch(backend, { publicUrl: PUBLIC, attachmentLimitBytes: 4096 });
    agent = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Fay')).email, PASSWORD);
  });
  afterAll(() => finch?.close());

  const upload = (body: Buffer, filename: string, type: string, headers: Record<string, string> = {}) =>
    fetch(`${finch.baseUrl}/api/v1/attachments?filename=${encodeURIComponent(filename)}`, {
      method: 'POST',
      headers: { 'content-type': type, ...agent.authHeaders(), 'x-csrf-token': agent.csrfToken!, ...headers },
      body,
    });
  /** The signed URL's path and query, fetched from Finch on loopback (the public host is a proxy's). */
  const local = (url: string) => `${finch.baseUrl}${url.slice(PUBLIC.length)}`;

  it('stores a file and serves it at a signed HTTPS URL that works in a reply', async () => {
    const response = await upload(PNG, 'dot.png', 'image/png');
    expect(response.status).toBe(201);
    const uploaded = (await response.json()) as { url: string; filename: string; filetype: string; size: number; expires_at: string };
    expect(uploaded).toMatchObject({ filename: 'dot.png', filetype: 'png', size: PNG.length });
    expect(uploaded.url).toMatch(/^https:\/\/finch\.example\.com\/files\/file_[0-9A-Z]+\/dot\.png\?expires=\d+&signature=[\w-]+$/);
    expect(new Date(uploaded.expires_at).getTime()).toBeGreaterThan(Date.now());

    const served = await fetch(local(uploaded.url));
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG);

    const conversation = await finConversation(finch);
    const replied = await agent.post(`/conversations/${conversation.id}/messages`, {
      body: '<p>Here it is</p>',
      attachments: [{ url: uploaded.url, filetype: uploaded.filetype, filename: uploaded.filename }],
    });
    expect(replied.status).toBe(201);
    const fin = (await finch.client('rest').call('get_messages', { conversation_id: conversation.id })).payload as { attachments?: { url: string }[] }[];
    expect(fin.at(-1)!.attachments).toEqual([{ url: uploaded.url, filetype: 'png', filename: 'dot.png' }]);
  });

  it('serves anything but safe types as a download', async () => {
    const uploaded = (await (await upload(Buffer.from('<script>alert(1)</script>'), 'page.html', 'text/html')).json()) as { url: string };
    const served = await fetch(local(uploaded.url));
    expect(served.headers.get('content-type')).toBe('application/octet-stream');
    expect(served.headers.get('content-disposition')).toMatch(/^attachment; filename\*=UTF-8''page\.html$/);
  });

  it("refuses a forged signature (403), another file's id under a signature (403), an expired link (410) and a removed file (404)", async () => {
    const { url } = (await (await upload(Buffer.from('hello'), 'a.txt', 'text/plain')).json()) as { url: string };
    const forged = await fetch(local(url.replace(/signature=[\w-]+/, 'signature=forged')));
    expect(forged.status, await forged.clone().text()).toBe(403);
    expect((await fetch(local(url.replace(/file_[0-9A-Z]+/, 'file_01ZZZZZZZZZZZZZZZZZZZZZZZZ')))).status).toBe(403);
    // The same expiry written in hex, with a decimal point or a sign is refused (400, like the API's limits).
    const expires = Number(/expires=(\d+)/.exec(url)![1]);
    for (const written of [`0x${expires.toString(16)}`, `${expires}.0`, `%2B${expires}`]) {
      const respelled = await fetch(local(url.replace(/expires=\d+/, `expires=${written}`)));
      expect(respelled.status, written).toBe(400);
      expect(await respelled.json()).toMatchObject({ code: 'validation_failed', errors: [{ pointer: '/expires' }] });
    }
    expect((await fetch(local(url))).status, 'the link as given still works').toBe(200);
    finch.clock.advance(3601 * 1000);
    try {
      const expired = await fetch(local(url));
      expect(expired.status).toBe(410);
      expect(await expired.json()).toMatchObject({ status: 410, code: 'link_expired' });
    } finally {
      finch.clock.advance(-3601 * 1000);
    }
    const id = /file_[0-9A-Z]+/.exec(url)![0];
    await finch.database!.db.deleteFrom('files').where('id', '=', id).execute();
    const removed = await fetch(local(url));
    expect(removed.status).toBe(404);
    expect(await removed.json()).toMatchObject({ status: 404, code: 'file_not_found' });
  });

  it('refuses an empty file (422), a file over the limit (413), strangers (401) and a missing CSRF token (403)', async () => {
    expect((await upload(Buffer.alloc(0), 'empty.txt', 'text/plain')).status).toBe(422);
    expect((await upload(Buffer.alloc(5000, 1), 'big.bin', 'application/octet-stream')).status).toBe(413);
    expect(
      (await fetch(`${finch.baseUrl}/api/v1/attachments?filename=x.txt`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status,
    ).toBe(401);
    expect((await upload(Buffer.from('x'), 'x.txt', 'text/plain', { 'x-csrf-token': 'wrong' })).status).toBe(403);
    expect(
      (
        await fetch(`${finch.baseUrl}/api/v1/attachments`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', ...agent.authHeaders(), 'x-csrf-token': agent.csrfToken! },
          body: 'x',
        })
      ).status,
    ).toBe(400);
  });
});

describe('attachments without an HTTPS public URL', () => {
  it('are refused with a reason (422): Fin accepts only HTTPS attachment URLs', async () => {
    const finch = await startTestFinch('sqlite');
    try {
      const agent = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Gil')).email, PASSWORD);
      const response = await fetch(`${finch.baseUrl}/api/v1/attachments?filename=a.txt`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...agent.authHeaders(), 'x-csrf-token': agent.csrfToken! },
        body: 'hello',
      });
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ code: 'https_required' });
    } finally {
      await finch.close();
    }
  });
});
