/**
 * Whatever an uploaded file is called, its signed link opens: fetched with a real HTTP client,
 * which resolves dot segments as browsers do (WHATWG URL), it answers the file, under its display
 * name. `..` as the last path segment used to be removed by the client, leaving `/files/`: a 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLoopWatch } from '../support/loop-watch.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

const PUBLIC = 'https://finch.example.com';

/** [the name as sent in ?filename=, the display name Finch keeps]. */
const NAMES: [string, string][] = [
  ['.', '.'],
  ['..', '..'],
  ['...', '...'],
  ['', 'attachment'],
  ['   ', 'attachment'],
  ['a/..', '..'],
  ['a/.', '.'],
  ['..\\..', '..'],
  ['a/', 'attachment'],
  ['/', 'attachment'],
  ['\\', 'attachment'],
  ['%2e%2e', '%2e%2e'],
  ['%2E.', '%2E.'],
  ['.%2e', '.%2e'],
  ['%2f..%2f', '%2f..%2f'],
  ['?x=1#y', '?x=1#y'],
  ['\u0001\u001f', 'attachment'],
  [' report 2025.pdf ', 'report 2025.pdf'],
  ['😀'.repeat(250), '😀'.repeat(200)],
  // Encoded, these are longer than a path parameter may be (100 characters).
  [`${'報告書'.repeat(20)}.pdf`, `${'報告書'.repeat(20)}.pdf`],
  ['x'.repeat(200), 'x'.repeat(200)],
];

describe.each(sqlBackends())('upload names on %s', (backend) => {
  let finch: TestFinch;
  let agent: AgentClient;
  beforeAll(async () => {
    finch = await startTestFinch(backend, { publicUrl: PUBLIC });
    agent = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Una')).email, PASSWORD);
  });
  afterAll(() => finch?.close());

  const upload = (filename: string, body: string) =>
    fetch(`${finch.baseUrl}/api/v1/attachments?filename=${encodeURIComponent(filename)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...agent.authHeaders(), 'x-csrf-token': agent.csrfToken! },
      body,
    });

  it('takes a 10 MiB upload without holding the event loop (a body that is not JSON is not walked for text)', async () => {
    const file = Buffer.alloc(10 * 1024 * 1024, 7);
    const { result, maxStallMs } = await withLoopWatch(() =>
      fetch(`${finch.baseUrl}/api/v1/attachments?filename=big.bin`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', ...agent.authHeaders(), 'x-csrf-token': agent.csrfToken! },
        body: file,
      }),
    );
    expect(result.status).toBe(201);
    // Walking the Buffer index by index held it for about 3 s; storing 10 MiB takes a fraction of that.
    expect(maxStallMs).toBeLessThan(1_000);
  });

  it.each(NAMES)('a file named %j gets a link that opens', async (sent, shown) => {
    const content = `contents of ${JSON.stringify(sent)}`;
    const response = await upload(sent, content);
    expect(response.status).toBe(201);
    const uploaded = (await response.json()) as { url: string; filename: string };
    expect(uploaded.filename).toBe(shown);

    // The link as browsers resolve it keeps the file's own path.
    const resolved = new URL(uploaded.url);
    expect(resolved.href).toBe(uploaded.url);
    expect(resolved.pathname).toMatch(/^\/files\/file_[0-9A-Z]+\/[^/]{1,100}$/);

    // Fetched from Finch on loopback (the public host is a proxy's), by a WHATWG client.
    const served = await fetch(`${finch.baseUrl}${resolved.pathname}${resolved.search}`);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe(content);
    expect(served.headers.get('content-disposition')).toBe(`inline; filename*=UTF-8''${encodeURIComponent(shown)}`);
  });

  it('keeps the display name in a reply to Fin while the link opens', async () => {
    const uploaded = (await (await upload('..', 'dots')).json()) as { url: string; filename: string; filetype: string };
    const conversation = await finConversation(finch);
    const replied = await agent.post(`/conversations/${conversation.id}/messages`, {
      body: '<p>Here</p>',
      attachments: [{ url: uploaded.url, filename: uploaded.filename, filetype: uploaded.filetype }],
    });
    expect(replied.status).toBe(201);
    const messages = (await finch.client('rest').call('get_messages', { conversation_id: conversation.id })).payload as {
      attachments?: { url: string; filename: string }[];
    }[];
    expect(messages.at(-1)!.attachments).toEqual([{ url: uploaded.url, filename: '..', filetype: 'plain' }]);
  });

  it('keeps a content-type only when it is a plain header value', async () => {
    const send = (type: string) =>
      fetch(`${finch.baseUrl}/api/v1/attachments?filename=a.bin`, {
        method: 'POST',
        headers: { 'content-type': type, ...agent.authHeaders(), 'x-csrf-token': agent.csrfToken! },
        body: 'x',
      });
    expect(((await (await send('text/plain; charset=utf-8')).json()) as { content_type: string }).content_type).toBe('text/plain; charset=utf-8');
    expect(((await (await send(`application/${'x'.repeat(300)}`)).json()) as { content_type: string }).content_type).toBe('application/octet-stream');
  });
});
