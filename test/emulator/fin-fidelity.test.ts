/**
 * The emulator does what Intercom documents Fin doing, checked on the requests Finch receives (a
 * recording proxy sits between them), in both variants, on SQLite and PostgreSQL: a signed-in user
 * is looked up (Get User) before anyone is created; an email given later goes to Update User;
 * Create Conversation carries the conversation's attributes; the end-user sends attachments and
 * attachment-only messages; the end-of-sync Update Conversation carries what Fin read (an agent's
 * title and tags), not values of its own; a burst of webhooks is one sync; a fixed token is tried
 * once more after a 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIANTS, type Variant } from '../../src/contract/models.js';
import { startLoop, type Loop } from '../support/emulator.js';
import type { ProxiedRequest } from '../support/flaky-proxy.js';
import { sqlBackends } from '../support/finch.js';

interface Sent {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}

/** The operation a request to Finch's Fin API is, in either variant. */
function operationOf(request: Sent): string {
  const path = request.path.split('?')[0]!.replace('/api/fin', '');
  const rest: Record<string, string> = {
    'GET /user': 'get_user',
    'PUT /user': 'update_user',
    'POST /user': 'create_user',
    'GET /agents': 'get_agents',
    'GET /conversation': 'get_conversation',
    'PUT /conversation': 'update_conversation',
    'POST /conversation': 'create_conversation',
    'GET /messages': 'get_messages',
    'POST /messages': 'create_message',
  };
  return rest[`${request.method} ${path}`] ?? path.slice(1);
}

const until = async (ready: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe.each(sqlBackends())('the emulator behaves like Fin, against Finch on %s', (backend) => {
  describe.each(VARIANTS)('%s variant', (variant: Variant) => {
    let loop: Loop;
    const sent: Sent[] = [];
    const record = (request: ProxiedRequest) => {
      let body: Record<string, unknown> | undefined;
      try {
        body = request.body.length ? (JSON.parse(request.body.toString('utf8')) as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      if (request.path.startsWith('/api/fin')) sent.push({ method: request.method, path: request.path, body });
      return request;
    };
    const calls = (since: number, operation?: string) => sent.slice(since).filter((request) => !operation || operationOf(request) === operation);
    const named = (since: number) => calls(since).map(operationOf);

    beforeAll(async () => {
      loop = await startLoop(backend, variant, { retryIntervalMs: 300, rewrite: { request: record } });
    });
    afterAll(() => loop?.close());

    it('looks a signed-in user up with Get User first, and creates one only when the helpdesk does not know them', async () => {
      const fin = loop.finch.client(variant);
      const known = (await fin.call('create_user', { name: 'Kim Known', email: 'kim@example.com', object_id: `known-${variant}` })).payload as { id: string };

      let since = sent.length;
      const chat = await loop.messenger.start('How long does shipping take?', `visitor-known-${variant}`, 'Kim', { userId: known.id });
      expect(named(since).slice(0, 2)).toEqual(['get_user', 'create_conversation']);
      expect(calls(since, 'create_user')).toEqual([]);
      const conversation = (await loop.agent.get(`/conversations/${chat.chat.conversation_id}`)).body;
      expect(conversation.user).toMatchObject({ id: known.id, email: 'kim@example.com' });

      since = sent.length;
      const stranger = await loop.messenger.start('Do you ship abroad?', `visitor-unknown-${variant}`, 'Lee', { userId: `user_not_in_finch_${variant}` });
      expect(named(since).slice(0, 3)).toEqual(['get_user', 'create_user', 'create_conversation']);
      expect(stranger.chat.mode).toBe('bot');
    });

    it('passes an email the end-user gives later on with Update User (the email collector)', async () => {
      const chat = await loop.messenger.start('I need a person', `visitor-email-${variant}`, 'Mo', { email: null });
      expect(chat.chat).toMatchObject({ mode: 'waiting', has_email: false });
      const since = sent.length;
      const view = await loop.messenger.giveEmail(chat.chat.id, 'mo@example.com');
      expect(view.chat.has_email).toBe(true);
      const updates = calls(since, 'update_user');
      expect(updates).toHaveLength(1);
      expect(updates[0]!.body).toMatchObject({ email: 'mo@example.com', user_id: expect.any(String) });
    });

    it("carries the conversation's attributes on Create Conversation", async () => {
      const since = sent.length;
      const chat = await loop.messenger.start('Can I upgrade my plan?', `visitor-attributes-${variant}`, 'Nia', {
        attributes: { page: '/pricing', plan: 'pro' },
      });
      const [create] = calls(since, 'create_conversation');
      const attributes = { channel: 'messenger', page: '/pricing', plan: 'pro' };
      // REST: "attributes associated with the conversation" ride on the initial message; POST-only sends them top-level.
      if (variant === 'rest') expect((create!.body!.initial_message as Record<string, unknown>).attributes).toEqual(attributes);
      else expect(create!.body!.attributes).toEqual(attributes);
      if (variant === 'post') {
        const conversation = (await loop.agent.get(`/conversations/${chat.chat.conversation_id}`)).body.conversation;
        expect(conversation.attributes).toMatchObject(attributes);
      }
    });

    it('sends attachments, and messages that are only an attachment', async () => {
      const receipt = { url: 'https://files.example.com/receipts/receipt-42.pdf' };
      const chat = await loop.messenger.start('', `visitor-files-${variant}`, 'Oli', { attachments: [receipt] });
      expect(chat.messages[0]).toMatchObject({ role: 'user', body: '', attachments: [{ url: receipt.url, filename: 'receipt-42.pdf', filetype: 'pdf' }] });
      // The bot cannot read a file: it says so and hands over.
      expect(chat.chat.mode).toBe('waiting');
      expect(chat.messages[1]).toMatchObject({ role: 'bot', body: expect.stringContaining('cannot open files') });
      await loop.messenger.say(chat.chat.id, 'And the photo', [{ url: 'https://files.example.com/photo.png', filename: 'Broken box.png' }]);
      const thread = (await loop.agent.get(`/conversations/${chat.chat.conversation_id}`)).body.messages as {
        body: string | null;
        author: { type: string };
        attachments: { url: string; filename: string }[];
      }[];
      const fromUser = thread.filter((message) => message.author.type === 'end_user');
      expect(fromUser.map((message) => [message.body || '', message.attachments.map((file) => file.filename)])).toEqual([
        ['', ['receipt-42.pdf']],
        ['<p>And the photo</p>', ['Broken box.png']],
      ]);
      const refused = await fetch(`${loop.messenger.url}/api/chats/${chat.chat.id}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: '  ' }),
      });
      expect(refused.status).toBe(400);
    });

    it("ends a sync with what it read: an agent's title and tags, not values of its own", async () => {
      const chat = await loop.messenger.start('I want to talk to a human', `visitor-derived-${variant}`, 'Pat');
      const id = chat.chat.conversation_id!;
      const [first] = calls(0, 'update_conversation').filter((request) => request.body?.conversation_id === id);
      expect(first!.body).toMatchObject({ title: 'I want to talk to a human', tags: [] });
      expect(JSON.stringify(sent)).not.toContain('fin-emulator');

      const since = sent.length;
      expect((await loop.agent.patch(`/conversations/${id}`, { title: 'Refund for order 42', tags: ['refund', 'vip'] })).status).toBe(200);
      // Finch notifies, the emulator pulls and ends its sync with an update built from what it read.
      await until(() => calls(since, 'update_conversation').some((request) => request.body?.conversation_id === id), 'an update after the edit');
      const update = calls(since, 'update_conversation').find((request) => request.body?.conversation_id === id)!;
      expect(update.body).toMatchObject({ title: 'Refund for order 42', tags: ['refund', 'vip'] });
      expect(calls(since).findIndex((request) => operationOf(request) === 'get_conversation')).toBeLessThan(calls(since).indexOf(update));
      const conversation = (await loop.agent.get(`/conversations/${id}`)).body.conversation;
      expect(conversation).toMatchObject({ title: 'Refund for order 42', tags: ['refund', 'vip'] });
    });

    it('stays resolved when an agent edits a resolved conversation, and stays silent when the customer comes back to the agent', async () => {
      const chat = await loop.messenger.start('I want to talk to a human about my invoice', `visitor-return-${variant}`, 'Rae');
      const id = chat.chat.conversation_id!;
      await loop.agent.post(`/conversations/${id}/takeover`);
      await loop.messenger.until(chat.chat.id, (view) => view.chat.mode === 'human');
      expect((await loop.agent.patch(`/conversations/${id}`, { status: 'resolved' })).status).toBe(200);
      await loop.messenger.until(chat.chat.id, (view) => view.chat.mode === 'resolved');

      // An edit of the resolved conversation is synced to Fin; the chat stays resolved.
      const since = sent.length;
      expect((await loop.agent.patch(`/conversations/${id}`, { tags: ['invoice'] })).status).toBe(200);
      await until(() => calls(since, 'get_conversation').length > 0, 'the sync after the edit');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await loop.messenger.view(chat.chat.id)).chat.mode).toBe('resolved');

      // The customer comes back: Finch reopens it to the agent, and the bot says nothing.
      const back = await loop.messenger.say(chat.chat.id, 'One more question about the invoice');
      expect(back.chat.mode).toBe('human');
      expect(back.messages.filter((message) => message.role === 'bot').length).toBe(chat.messages.filter((message) => message.role === 'bot').length);
      expect((await loop.agent.get(`/conversations/${id}`)).body.conversation).toMatchObject({ status: 'open', queue: 'mine' });
    });

    it('debounces a burst of webhooks for one conversation into one sync', async () => {
      const chat = await loop.messenger.start('Where is my parcel?', `visitor-burst-${variant}`, 'Quinn');
      const id = chat.chat.conversation_id!;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const since = sent.length;
      const hook = `${loop.emulator.url}/hooks/standalone/custom_helpdesk_conversation_event/int_loop`;
      const statuses = await Promise.all(
        Array.from({ length: 10 }, () =>
          fetch(hook, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-webhook-key': 'loop-key' },
            body: JSON.stringify({ conversation_id: id }),
          }).then((response) => response.status),
        ),
      );
      expect(statuses).toEqual(Array(10).fill(202));
      await until(() => calls(since, 'update_conversation').length > 0, 'the sync');
      await new Promise((resolve) => setTimeout(resolve, 400));
      const pulls = calls(since, 'get_conversation').filter((request) => request.path.includes(id) || request.body?.conversation_id === id);
      expect(pulls).toHaveLength(1);
      expect(calls(since, 'update_conversation')).toHaveLength(1);
    });
  });
});

describe('the emulator with a fixed token', () => {
  let loop: Loop;
  beforeAll(async () => {
    loop = await startLoop('sqlite', 'rest', { fixedToken: true, retryIntervalMs: 60_000 });
  });
  afterAll(() => loop?.close());

  it('tries a call once more after a 401, as Fin does, instead of failing the sync', async () => {
    const chat = await loop.messenger.start('How do I reset my password?', 'visitor-fixed-token');
    loop.proxy.fail('POST', '/api/fin/messages', 1, 401);
    await loop.messenger.say(chat.chat.id, 'And how do I change my email?');
    expect(loop.proxy.seen.filter((request) => request.status === 401)).toHaveLength(1);
    expect(loop.emulator.emulator.helpdesk.retriedAfterRefusal).toBe(1);
    expect(await loop.messenger.errors()).toEqual([]);
    const thread = (await loop.agent.get(`/conversations/${chat.chat.conversation_id}`)).body.messages as { body: string }[];
    expect(thread.some((message) => message.body.includes('change my email'))).toBe(true);
  });
});
