/**
 * The whole loop without an Intercom account, in both variants, on SQLite and PostgreSQL: an
 * end-user asks in the messenger, the bot answers, the end-user asks for a person, Fin hands over,
 * an agent takes it and replies, Finch's webhook brings the reply to the messenger, and the agent
 * resolves the conversation. Also Fin's reliability rules: a token renewed mid-run, a helpdesk that
 * fails twice before it recovers, and a Create Conversation that fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIANTS } from '../../src/contract/models.js';
import { SOMETHING_WENT_WRONG } from '../../src/emulator/fin-emulator.js';
import { startLoop, type Loop } from '../support/emulator.js';
import { sqlBackends } from '../support/finch.js';

describe.each(sqlBackends())('Fin emulator and Finch on %s', (backend) => {
  describe.each(VARIANTS)('%s variant', (variant) => {
    let loop: Loop;
    beforeAll(async () => {
      loop = await startLoop(backend, variant, { finch: { tokenTtlSeconds: 120 }, retryIntervalMs: 300 });
    });
    afterAll(() => loop?.close());

    it('goes from the bot to a person and back to a resolution', async () => {
      const { messenger, agent, finch } = loop;

      // The end-user asks; Fin creates the user and the conversation, and the bot answers.
      const started = await messenger.start('How long does shipping take?');
      expect(started.chat.mode).toBe('bot');
      expect(started.messages.map((m) => m.role)).toEqual(['user', 'bot']);
      expect(started.messages[1]!.body).toContain('1 business day');
      const conversationId = started.chat.conversation_id!;
      const inFinch = (await agent.get(`/conversations/${conversationId}`)).body;
      expect(inFinch.conversation).toMatchObject({ queue: 'fin', title: 'How long does shipping take?', tags: [] });
      expect(inFinch.messages.map((m: { author: { type: string; is_fin: boolean } }) => [m.author.type, m.author.is_fin])).toEqual([
        ['end_user', false],
        ['agent', true],
      ]);

      // The end-user asks for a person: Fin says so and hands over.
      const handedOver = await messenger.say(started.chat.id, 'I want to talk to a human please');
      expect(handedOver.chat.mode).toBe('waiting');
      expect(handedOver.messages.at(-1)).toMatchObject({ role: 'bot', body: expect.stringContaining('passing you to a person') });
      const waiting = (await agent.get('/conversations?queue=waiting')).body.conversations.map((c: { id: string }) => c.id);
      expect(waiting).toContain(conversationId);

      // An agent takes it, types and replies; the messenger shows all of it.
      await agent.post(`/conversations/${conversationId}/takeover`);
      await messenger.until(started.chat.id, (view) => view.chat.mode === 'human');
      await agent.post(`/conversations/${conversationId}/typing`);
      await messenger.until(started.chat.id, (view) => view.typing === 'Hana');
      await agent.post(`/conversations/${conversationId}/messages`, { body: 'Internal: ships from Oslo', visibility: 'private' });
      await agent.post(`/conversations/${conversationId}/messages`, { body: '<p>Hi Eve, I am <b>Hana</b>. Your parcel left today.</p>' });
      const replied = await messenger.until(started.chat.id, (view) => view.messages.some((m) => m.role === 'agent'));
      const agentMessages = replied.messages.filter((m) => m.role === 'agent');
      expect(agentMessages).toEqual([expect.objectContaining({ author_name: 'Hana', body: '<p>Hi Eve, I am <b>Hana</b>. Your parcel left today.</p>' })]);
      expect(JSON.stringify(replied)).not.toContain('Internal');
      expect(replied.typing).toBeNull();

      // While a person holds it the bot stays silent; the end-user's words still reach the helpdesk.
      const thanks = await messenger.say(started.chat.id, 'Great, thanks!');
      expect(thanks.messages.at(-1)).toMatchObject({ role: 'user' });
      expect(thanks.messages.filter((m) => m.role === 'bot')).toHaveLength(2);
      const thread = (await agent.get(`/conversations/${conversationId}`)).body;
      expect(thread.messages.at(-1)).toMatchObject({ author: { type: 'end_user' }, body: '<p>Great, thanks!</p>' });
      expect(thread.conversation.assignee).toMatchObject({ name: 'Hana' });

      // The agent resolves it; Fin learns of it.
      await agent.patch(`/conversations/${conversationId}`, { status: 'resolved' });
      await messenger.until(started.chat.id, (view) => view.chat.mode === 'resolved');
      expect(await messenger.errors()).toEqual([]);
      expect(finch).toBeDefined();
    });

    it('hands back to the bot when the agent hands the conversation back to Fin', async () => {
      const { messenger, agent } = loop;
      const started = await messenger.start('I need a person', `visitor-${variant}-handback`);
      expect(started.chat.mode).toBe('waiting');
      await agent.post(`/conversations/${started.chat.conversation_id}/takeover`);
      await messenger.until(started.chat.id, (view) => view.chat.mode === 'human');
      await agent.post(`/conversations/${started.chat.conversation_id}/handback`);
      await messenger.until(started.chat.id, (view) => view.chat.mode === 'bot');
      const answered = await messenger.say(started.chat.id, 'How do I reset my password?');
      expect(answered.messages.at(-1)).toMatchObject({ role: 'bot', body: expect.stringContaining('Forgot password') });
    });

    it('renews an expired token and tries once more, as Fin does on a 401', async () => {
      const { messenger, finch, emulator } = loop;
      const started = await messenger.start('Where is my invoice?', `visitor-${variant}-token`);
      const before = emulator.emulator.helpdesk.tokensFetched;
      finch.clock.advance(121_000);
      try {
        const answered = await messenger.say(started.chat.id, 'And how do I pay by card?');
        expect(answered.messages.at(-1)).toMatchObject({ role: 'bot', body: expect.stringContaining('Visa') });
      } finally {
        finch.clock.advance(-121_000);
      }
      expect(emulator.emulator.helpdesk.tokensFetched).toBe(before + 1);
      expect(loop.proxy.seen.some((request) => request.status === 401)).toBe(true);
      expect((await messenger.errors()).filter((error) => error.detail.includes('Where is my invoice'))).toEqual([]);
    });

    it('retries a failed synchronization until the helpdesk recovers, logging each failure', async () => {
      const { messenger, agent, proxy } = loop;
      const started = await messenger.start('How do I cancel my subscription?', `visitor-${variant}-flaky`);
      const errorsBefore = (await messenger.errors()).length;
      const path = variant === 'rest' ? '/api/fin/messages' : '/api/fin/create_message';
      proxy.fail('POST', path, 2);
      await messenger.say(started.chat.id, 'What payment methods do you take?');
      const thread = async () => (await agent.get(`/conversations/${started.chat.conversation_id}`)).body.messages as { body: string }[];
      const deadline = Date.now() + 10_000;
      while (!(await thread()).some((m) => m.body.includes('What payment methods')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect((await thread()).some((m) => m.body.includes('What payment methods'))).toBe(true);
      const errors = (await messenger.errors()).slice(0, (await messenger.errors()).length - errorsBefore);
      expect(errors.map((error) => [error.operation, error.status, error.attempt])).toEqual([
        ['create_message', 503, 2],
        ['create_message', 503, 1],
      ]);
      // Retried messages are not duplicated: object_id makes Create Message idempotent.
      expect((await thread()).filter((m) => m.body.includes('What payment methods'))).toHaveLength(1);
    });

    it('ends the chat with "Something went wrong" when Create Conversation fails', async () => {
      const { messenger, proxy } = loop;
      proxy.fail('POST', variant === 'rest' ? '/api/fin/conversation' : '/api/fin/create_conversation', 2, 500);
      const view = await messenger.start('Hello?', `visitor-${variant}-broken`);
      expect(view.chat.mode).toBe('ended');
      expect(view.messages.at(-1)).toEqual(expect.objectContaining({ role: 'system', body: SOMETHING_WENT_WRONG }));
      expect((await messenger.errors())[0]).toMatchObject({ operation: 'create_conversation', status: 500 });
      const refused = await fetch(`${messenger.url}/api/chats/${view.chat.id}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"message":"still there?"}',
      });
      expect(refused.status).toBe(409);
    });
  });
});
