/**
 * Text no database can store is refused at the edge, the same on SQLite and PostgreSQL: an
 * unpaired UTF-16 surrogate (the JSON escape `\ud800` alone; PostgreSQL's jsonb answers "invalid
 * input syntax for type json") or a NUL (U+0000) in any string or key of any body, in the query
 * string or in a path parameter, on the Fin API (both variants), the agent API and the token
 * endpoint. The answer is 400 `invalid_text` with a JSON pointer to the field, and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FinClient, FinResponse } from '../../src/client/fin-client.js';
import { VARIANTS } from '../../src/contract/models.js';
import type { OperationName } from '../../src/contract/operations.js';
import { AgentClient, type AgentResponse } from '../support/agent-client.js';
import { expectRefusedAt } from '../support/contract.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

/** A high surrogate alone, a low one alone, and a pair in the wrong order. */
const BROKEN = ['\ud800', 'x\udc00y', '\ude00\ud83d'];
const NUL = 'a\u0000b';
/** A key as a pointer shows it: unpaired surrogates as U+FFFD (`String.prototype.toWellFormed`). */
const shown = (text: string): string => (text as string & { toWellFormed(): string }).toWellFormed();

describe.each(sqlBackends())('text a database cannot store, on %s', (backend) => {
  let finch: TestFinch;
  let agent: AgentClient;
  let admin: AgentClient;
  let seed: { userId: string; conversationId: string; finId: string };

  beforeAll(async () => {
    finch = await startTestFinch(backend);
    agent = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Tess')).email, PASSWORD);
    admin = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Ada', 'admin')).email, PASSWORD);
    const conversation = await finConversation(finch);
    seed = { userId: conversation.user.id, conversationId: conversation.id, finId: (await finch.store.findFinAgent()).id };
  });
  afterAll(() => finch?.close());

  /** Expects 400 invalid_text pointing at `pointer`, and an unchanged store. */
  const refused = (send: () => Promise<FinResponse | AgentResponse>, pointer: string) =>
    expectRefusedAt(() => finch.dump(), send, { status: 400, code: 'invalid_text', pointer });

  describe.each(VARIANTS)('Fin API, %s variant', (variant) => {
    let fin: FinClient;
    beforeAll(() => {
      fin = finch.client(variant);
    });

    const author = () => ({ id: seed.userId, user_type: 'end_user' });
    /** [operation, input with the bad text in it, pointer] for each kind of field. */
    const cases = (bad: string): [OperationName, () => Record<string, unknown>, string][] => [
      ['create_user', () => ({ name: bad }), '/name'],
      ['create_user', () => ({ email: `${bad}@example.com` }), '/email'],
      ['create_user', () => ({ object_id: bad }), '/object_id'],
      ['create_user', () => ({ attributes: { plan: bad } }), '/attributes/plan'],
      ['create_user', () => ({ attributes: { [`pl${bad}an`]: 'pro' } }), `/attributes/pl${shown(bad)}an`],
      ['create_user', () => ({ attributes: { a: { 'b/c': [1, { d: bad }] } } }), '/attributes/a/b~1c/1/d'],
      ['update_user', () => ({ user_id: seed.userId, attributes: { plan: bad } }), '/attributes/plan'],
      ['create_conversation', () => ({ title: bad, user_id: seed.userId, initial_message: { body: 'hi', author: author() } }), '/title'],
      ['create_conversation', () => ({ user_id: seed.userId, initial_message: { body: `<p>${bad}</p>`, author: author() } }), '/initial_message/body'],
      [
        'create_conversation',
        () => ({ user_id: seed.userId, initial_message: { author: author(), attachments: [{ url: 'https://x.example/a.pdf', filename: bad }] } }),
        '/initial_message/attachments/0/filename',
      ],
      ['create_conversation', () => ({ user: { name: bad }, initial_message: { body: 'hi', author: { id: 'ignored', user_type: 'end_user' } } }), '/user/name'],
      [
        'create_conversation',
        () => ({ user_id: seed.userId, attributes: { topic: bad }, initial_message: { body: 'hi', author: author() } }),
        '/attributes/topic',
      ],
      ['update_conversation', () => ({ conversation_id: seed.conversationId, tags: ['ok', bad] }), '/tags/1'],
      ['update_conversation', () => ({ conversation_id: seed.conversationId, title: bad }), '/title'],
      ['update_conversation', () => ({ conversation_id: seed.conversationId, attributes: { [bad]: 1 } }), `/attributes/${shown(bad)}`],
      ['update_conversation', () => ({ conversation_id: seed.conversationId, user: { attributes: { x: [bad] } } }), '/user/attributes/x/0'],
      ['create_message', () => ({ conversation_id: seed.conversationId, body: bad, author: author() }), '/body'],
      ['create_message', () => ({ conversation_id: seed.conversationId, body: 'hi', author: { ...author(), name: bad } }), '/author/name'],
    ];

    it.each(BROKEN.map((bad) => [JSON.stringify(bad), bad]))('refuses the unpaired surrogates %s in every kind of field', async (_label, bad) => {
      for (const [name, input, pointer] of cases(bad)) await refused(() => fin.call(name, input()), pointer);
    });

    it('refuses NUL the same way', async () => {
      for (const [name, input, pointer] of cases(NUL)) await refused(() => fin.call(name, input()), pointer);
    });

    it('refuses them in a query string (REST reads) and as a raw JSON escape', async () => {
      if (variant === 'rest') await refused(() => fin.send('GET', `${finch.apiUrl}/user?user_id=user%00x`, undefined), '/user_id');
      const url = `${finch.apiUrl}${variant === 'rest' ? '/user' : '/create_user'}`;
      await refused(() => fin.send('POST', url, '{"name":"Eve","attributes":{"plan":"\\uD800"}}'), '/attributes/plan');
    });

    it('stores well-formed pairs (emoji) alike on both databases', async () => {
      const created = await fin.call('create_user', { name: 'Zoë 😀', attributes: { '😀': ['𝄞', { nested: '🎉' }] } });
      expect(created.status).toBe(variant === 'rest' ? 201 : 200);
      const id = (created.payload as { id: string }).id;
      const read = (await fin.call('get_user', { user_id: id })).payload;
      expect(read).toMatchObject({ name: 'Zoë 😀', attributes: { '😀': ['𝄞', { nested: '🎉' }] } });
    });
  });

  describe('agent API', () => {
    it.each([...BROKEN, NUL].map((bad) => [JSON.stringify(bad), bad]))('refuses %s in every kind of field', async (_label, bad) => {
      const conversation = `/conversations/${seed.conversationId}`;
      await refused(() => agent.patch(conversation, { title: bad }), '/title');
      await refused(() => agent.patch(conversation, { tags: ['ok', bad] }), '/tags/1');
      await refused(() => agent.patch(conversation, { attributes: { plan: bad } }), '/attributes/plan');
      await refused(() => agent.patch(conversation, { attributes: { [bad]: 'x' } }), `/attributes/${shown(bad)}`);
      await refused(() => agent.patch(conversation, { attributes: { a: [{ b: bad }] } }), '/attributes/a/0/b');
      await refused(() => agent.patch(`/users/${seed.userId}`, { name: bad }), '/name');
      await refused(() => agent.patch(`/users/${seed.userId}`, { email: `${bad}@example.com` }), '/email');
      await refused(() => agent.patch(`/users/${seed.userId}`, { attributes: { plan: bad } }), '/attributes/plan');
      await refused(() => agent.post(`${conversation}/messages`, { body: bad }), '/body');
      await refused(
        () => agent.post(`${conversation}/messages`, { body: 'x', attachments: [{ url: 'https://x.example/a', filename: bad }] }),
        '/attachments/0/filename',
      );
      await refused(() => agent.post('/canned-replies', { shortcut: 'hello', title: bad, body: 'Hello!' }), '/title');
      await refused(() => agent.post('/canned-replies', { shortcut: 'hello', title: 'Hello', body: bad }), '/body');
      await refused(() => admin.put('/settings/fin', { integration_id: bad }), '/integration_id');
      await refused(() => admin.post('/agents', { name: bad, email: 'new@example.com' }), '/name');
      await refused(() => new AgentClient(finch.baseUrl).post('/session', { email: bad, password: PASSWORD }), '/email');
    });

    it('refuses NUL in a path parameter and a query string (PostgreSQL answered 500 for the path)', async () => {
      await refused(() => agent.get('/conversations/conv%00x'), '/id');
      await refused(() => agent.patch('/users/user%00x', { name: 'x' }), '/id');
      await refused(() => agent.get('/conversations?q=a%00b'), '/q');
      await refused(() => agent.patch('/conversations/conv%00x', { title: 'x' }), '/id');
    });

    it('refuses an upload whose file name holds NUL', async () => {
      const response = await fetch(`${finch.baseUrl}/api/v1/attachments?filename=a%00b.txt`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...agent.authHeaders(), 'x-csrf-token': agent.csrfToken! },
        body: 'hello',
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'invalid_text', errors: [{ pointer: '/filename' }] });
    });

    it('keeps well-formed pairs (emoji) in titles, tags and attributes', async () => {
      const response = await agent.patch(`/conversations/${seed.conversationId}`, { title: 'Help 😀', tags: ['🎉'], attributes: { '😀': '𝄞' } });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ title: 'Help 😀', tags: ['🎉'], attributes: { '😀': '𝄞' } });
    });
  });

  describe('token endpoint', () => {
    it('refuses unpaired surrogates and NUL in a JSON or form body as invalid_request', async () => {
      for (const bad of [...BROKEN, NUL]) {
        const json = await fetch(`${finch.baseUrl}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'client_credentials', client_id: bad, client_secret: 'x' }),
        });
        expect(json.status).toBe(400);
        expect(await json.json()).toMatchObject({ error: 'invalid_request', code: 'invalid_request' });
      }
      const form = await fetch(`${finch.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=a%00b&client_secret=x',
      });
      expect(form.status).toBe(400);
      expect(await form.json()).toMatchObject({ error: 'invalid_request' });
    });
  });
});
