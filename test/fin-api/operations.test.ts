/**
 * Every operation of the Fin API in both variants, on every store: statuses, exact shapes
 * (checked against the served OpenAPI document) and the documented semantics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIANTS } from '../../src/contract/models.js';
import { ok, type ContractCaller } from '../support/contract.js';
import { backends, startTestFinch, type TestFinch } from '../support/finch.js';
import { OpenApiValidator } from '../support/openapi.js';

describe.each(backends())('Fin API on %s', (backend) => {
  let finch: TestFinch;
  let openapi: OpenApiValidator;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    openapi = await OpenApiValidator.load(finch.baseUrl);
  });
  afterAll(() => finch?.close());

  describe.each(VARIANTS)('%s variant', (variant) => {
    let api: ContractCaller;
    beforeAll(() => {
      api = { client: finch.client(variant), openapi };
    });
    const unique = (label: string) => `${label}-${variant}-${Math.random().toString(36).slice(2)}`;

    it('creates, reads and updates an end-user', async () => {
      const created = await ok(api, 'create_user', {
        name: 'Jane Doe',
        email: 'jane@example.com',
        object_id: unique('user'),
        photo_url: 'https://example.com/jane.png',
        attributes: { plan: 'pro', seats: 3 },
      });
      expect(created).toEqual({
        id: expect.stringMatching(/^user_/),
        user_type: 'end_user',
        name: 'Jane Doe',
        email: 'jane@example.com',
        photo_url: 'https://example.com/jane.png',
        attributes: { plan: 'pro', seats: 3 },
      });
      expect(await ok(api, 'get_user', { user_id: created.id })).toEqual(created);

      const updated = await ok(api, 'update_user', { user_id: created.id, attributes: { seats: null, vip: true } });
      expect(updated.attributes).toEqual({ plan: 'pro', vip: true });
      expect(await ok(api, 'get_user', { user_id: created.id })).toEqual(updated);
    });

    it('creates an end-user with nothing but nulls', async () => {
      const created = await ok(api, 'create_user', { name: null, email: null });
      expect(created).toMatchObject({ name: null, email: null, photo_url: null, attributes: {} });
    });

    it("lists the agents with the Fin agent among them, in the variant's spelling", async () => {
      const agents = await ok<Record<string, unknown>[]>(api, 'get_agents');
      const fin = agents.find((agent) => agent.name === 'Fin');
      expect(fin).toBeDefined();
      expect(fin).toHaveProperty(variant === 'rest' ? 'alias' : 'alias_name', null);
      expect(fin).not.toHaveProperty(variant === 'rest' ? 'alias_name' : 'alias');
      expect(typeof fin!.email).toBe('string');
    });

    it('creates a conversation, open and assigned to Fin, with its initial message', async () => {
      const user = await ok(api, 'create_user', { name: 'Ann', email: 'ann@example.com', object_id: unique('user') });
      const fin = (await ok<{ id: string; name: string }[]>(api, 'get_agents')).find((agent) => agent.name === 'Fin')!;
      const created = await ok(api, 'create_conversation', {
        title: 'Question about pricing',
        user_id: user.id,
        object_id: unique('conv'),
        initial_message: {
          conversation_id: 'ignored',
          message_type: 'comment',
          body: "<p>Hi! I'd like to know more about your pricing plans.</p>",
          author: { id: user.id, user_type: 'end_user' },
          visibility: 'public',
          created_at: '2025-10-27T14:30:00.000Z',
          object_id: unique('msg'),
          attachments: [{ url: 'https://example.com/files/pricing-guide.pdf', filetype: 'pdf', filename: 'Pricing Guide 2025' }],
        },
      });
      expect(created.conversation).toMatchObject({
        id: expect.stringMatching(/^conv_/),
        status: 'open',
        user,
        title: 'Question about pricing',
        tags: [],
        attributes: {},
        assignee: { id: fin.id, user_type: 'agent' },
      });
      expect(created.initial_message).toEqual({
        id: expect.stringMatching(/^msg_/),
        conversation_id: created.conversation.id,
        message_type: 'comment',
        body: "<p>Hi! I'd like to know more about your pricing plans.</p>",
        author: user,
        visibility: 'public',
        created_at: '2025-10-27T14:30:00.000Z',
        attachments: [{ url: 'https://example.com/files/pricing-guide.pdf', filetype: 'pdf', filename: 'Pricing Guide 2025' }],
      });
      expect(await ok(api, 'get_conversation', { conversation_id: created.conversation.id })).toEqual(created.conversation);
    });

    it('creates a conversation from a user object, making the user under its id when unknown', async () => {
      const userId = unique('ext-user');
      const created = await ok(api, 'create_conversation', {
        title: null,
        object_id: unique('conv'),
        user: { id: userId, user_type: 'end_user', name: 'Bo', email: 'bo@example.com', photo_url: null, attributes: { tier: 'gold' } },
        attributes: { channel: 'web' },
        initial_message: { body: 'Hello', author: { id: userId, user_type: 'end_user' } },
      });
      expect(created.conversation.user).toEqual({
        id: userId,
        user_type: 'end_user',
        name: 'Bo',
        email: 'bo@example.com',
        photo_url: null,
        attributes: { tier: 'gold' },
      });
      expect(created.conversation.attributes).toEqual({ channel: 'web' });
      expect(created.conversation.title).toBeNull();
      expect(await ok(api, 'get_user', { user_id: userId })).toEqual(created.conversation.user);

      // The same user object again updates the user it names instead of creating another.
      const again = await ok(api, 'create_conversation', {
        user: { id: userId, name: 'Bo B.' },
        initial_message: { body: 'Me again', author: { id: userId, user_type: 'end_user' } },
      });
      expect(again.conversation.user).toMatchObject({ id: userId, name: 'Bo B.', attributes: { tier: 'gold' } });
      expect(again.conversation.id).not.toBe(created.conversation.id);
    });

    it('updates a conversation: title, tags replace, attributes merge, status, read time', async () => {
      const { conversation } = await startConversation(api, unique);
      const first = await ok(api, 'update_conversation', {
        conversation_id: conversation.id,
        title: 'Pricing inquiry',
        tags: ['pricing', 'sales', 'pricing', ' '],
        attributes: { issue_type: 'Billing', priority: 'High' },
        status: 'resolved',
        last_user_read_at: '2025-10-27T15:45:00Z',
      });
      expect(first).toMatchObject({
        title: 'Pricing inquiry',
        tags: ['pricing', 'sales'],
        attributes: { issue_type: 'Billing', priority: 'High' },
        status: 'resolved',
      });
      expect(first.updated_at >= conversation.updated_at).toBe(true);

      const second = await ok(api, 'update_conversation', {
        conversation_id: conversation.id,
        tags: ['vip'],
        attributes: { priority: null, team: 'EMEA' },
      });
      expect(second).toMatchObject({ title: 'Pricing inquiry', tags: ['vip'], attributes: { issue_type: 'Billing', team: 'EMEA' } });
      expect(second.attributes).not.toHaveProperty('priority');

      const cleared = await ok(api, 'update_conversation', { conversation_id: conversation.id, title: null, tags: null, attributes: null });
      expect(cleared).toMatchObject({ title: null, tags: [], attributes: {} });
    });

    it('leaves updated_at alone when an update changes nothing', async () => {
      const { conversation } = await startConversation(api, unique);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const same = await ok(api, 'update_conversation', { conversation_id: conversation.id, status: 'open', tags: [], attributes: {} });
      expect(same.updated_at).toBe(conversation.updated_at);
    });

    it('applies a user object sent with Update Conversation to its end-user', async () => {
      const { conversation } = await startConversation(api, unique);
      const updated = await ok(api, 'update_conversation', {
        conversation_id: conversation.id,
        user: { id: conversation.user.id, user_type: 'end_user', email: 'new@example.com', attributes: { plan: 'team' } },
      });
      expect(updated.user).toMatchObject({ id: conversation.user.id, email: 'new@example.com', attributes: { plan: 'team' } });
    });

    it('creates messages from the end-user and from Fin, notes and attachment-only ones', async () => {
      const { conversation, initial } = await startConversation(api, unique);
      const fin = conversation.assignee;
      const answer = await ok(api, 'create_message', {
        conversation_id: conversation.id,
        message_type: 'comment',
        body: '<h3>Plans</h3><p>We have <strong>three</strong>.</p>',
        author: { id: fin.id, user_type: 'agent', name: 'ignored', email: 'ignored@example.com' },
        visibility: 'public',
        object_id: unique('msg'),
      });
      expect(answer).toMatchObject({
        conversation_id: conversation.id,
        body: '<h2>Plans</h2><p>We have <b>three</b>.</p>',
        author: { id: fin.id, user_type: 'agent', name: 'Fin' },
        visibility: 'public',
        attachments: [],
      });
      const note = await ok(api, 'create_message', {
        conversation_id: conversation.id,
        body: 'internal',
        author: { id: fin.id, user_type: 'agent' },
        visibility: 'private',
      });
      expect(note.visibility).toBe('private');
      const fileOnly = await ok(api, 'create_message', {
        conversation_id: conversation.id,
        body: variant === 'rest' ? '' : null,
        author: { id: conversation.user.id, user_type: 'end_user' },
        attachments: [{ url: 'https://files.example.com/shot.png' }],
      });
      expect(fileOnly.body).toBe(variant === 'rest' ? '' : null);
      expect(fileOnly.attachments).toEqual([{ url: 'https://files.example.com/shot.png', filetype: 'png', filename: 'shot.png' }]);

      const all = await ok<{ id: string }[]>(api, 'get_messages', { conversation_id: conversation.id });
      expect(all.map((m) => m.id)).toEqual([initial.id, answer.id, note.id, fileOnly.id]);
      const after = await ok<{ id: string }[]>(api, 'get_messages', { conversation_id: conversation.id, after_id: answer.id });
      expect(after.map((m) => m.id)).toEqual([note.id, fileOnly.id]);
      expect(await ok(api, 'get_messages', { conversation_id: conversation.id, after_id: fileOnly.id })).toEqual([]);
      const unknownAnchor = await ok<{ id: string }[]>(api, 'get_messages', { conversation_id: conversation.id, after_id: 'msg_unknown' });
      expect(unknownAnchor.map((m) => m.id)).toEqual(all.map((m) => m.id));
    });

    it('orders messages by their time, ties broken by id, whatever order they arrive in', async () => {
      const { conversation, initial } = await startConversation(api, unique, '2030-01-01T00:00:00.000Z');
      const author = { id: conversation.user.id, user_type: 'end_user' };
      const late = await ok(api, 'create_message', { conversation_id: conversation.id, body: 'late', author, created_at: '2030-01-01T00:00:03.000Z' });
      const early = await ok(api, 'create_message', { conversation_id: conversation.id, body: 'early', author, created_at: '2030-01-01T00:00:01.000Z' });
      const tieA = await ok(api, 'create_message', { conversation_id: conversation.id, body: 'tie a', author, created_at: '2030-01-01T00:00:02.000Z' });
      const tieB = await ok(api, 'create_message', { conversation_id: conversation.id, body: 'tie b', author, created_at: '2030-01-01T02:00:02.000+02:00' });
      expect(tieB.created_at).toBe('2030-01-01T00:00:02.000Z');
      const ids = (await ok<{ id: string }[]>(api, 'get_messages', { conversation_id: conversation.id })).map((m) => m.id);
      const ties = [tieA.id, tieB.id].sort();
      expect(ids).toEqual([initial.id, early.id, ...ties, late.id]);
      const afterFirstTie = await ok<{ id: string }[]>(api, 'get_messages', { conversation_id: conversation.id, after_id: ties[0] });
      expect(afterFirstTie.map((m) => m.id)).toEqual([ties[1], late.id]);
    });
  });
});

/** A user and a conversation with one message, made through the API under test. */
async function startConversation(api: ContractCaller, unique: (label: string) => string, createdAt?: string) {
  const user = await ok(api, 'create_user', { name: 'Sam', email: 'sam@example.com', object_id: unique('user') });
  const created = await ok(api, 'create_conversation', {
    title: 'Help',
    user_id: user.id,
    object_id: unique('conv'),
    initial_message: { body: 'Hello', author: { id: user.id, user_type: 'end_user' }, ...(createdAt ? { created_at: createdAt } : {}) },
  });
  return { user, conversation: created.conversation, initial: created.initial_message };
}
