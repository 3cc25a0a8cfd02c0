/**
 * Lenient on what Fin sends (spec §4, "lenient on Fin's input"): user fields are checked no
 * further than their JSON type, an initial message may come without its author, its attributes
 * are the conversation's, and optional ids may be `""`. Each case is a request the docs allow that
 * Finch once refused, in both variants on every store; a refused Create Conversation ends the
 * customer's chat. What Finch keeps is read from the store; what it answers Fin must still follow
 * the contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FinClient } from '../../src/client/fin-client.js';
import { VARIANTS } from '../../src/contract/models.js';
import { operation, type OperationName } from '../../src/contract/operations.js';
import { backends, startTestFinch, type TestFinch } from '../support/finch.js';

describe.each(backends())('lenient Fin input on %s', (backend) => {
  let finch: TestFinch;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
  });
  afterAll(() => finch?.close());

  describe.each(VARIANTS)('%s variant', (variant) => {
    let client: FinClient;
    beforeAll(() => {
      client = finch.client(variant);
    });
    const unique = (label: string) => `${label}-${variant}-${Math.random().toString(36).slice(2)}`;

    /** Calls an operation that must succeed with the variant's status; the payload (the answer's formats are checked apart). */
    async function accepted<T = any>(name: OperationName, input: Record<string, unknown>): Promise<T> {
      const response = await client.call(name, input);
      const status = variant === 'rest' ? operation(name).rest.status : 200;
      if (response.status !== status) throw new Error(`${name} answered ${response.status}, expected ${status}: ${JSON.stringify(response.body)}`);
      return response.payload as T;
    }
    const stored = async (userId: string) => {
      const user = await finch.store.findUser(userId);
      return user && { name: user.name, email: user.email, photoUrl: user.photoUrl, objectId: user.objectId, attributes: user.attributes };
    };

    it('Create User with an object_id of "" makes a new user each time (no idempotency key)', async () => {
      const first = await accepted('create_user', { name: 'A', object_id: '' });
      const second = await accepted('create_user', { name: 'A', object_id: '' });
      expect(second.id).not.toBe(first.id);
      expect(await stored(first.id)).toMatchObject({ objectId: null });
    });

    it('Create Conversation without an author: the message is the end-user’s (user_id)', async () => {
      const user = await accepted('create_user', { name: 'Bo', email: 'bo@example.com' });
      const created = await accepted('create_conversation', { user_id: user.id, object_id: unique('conv'), initial_message: { body: '<p>Hello</p>' } });
      expect(created.initial_message.author).toEqual(created.conversation.user);
      expect(created.initial_message.author).toMatchObject({ id: user.id, user_type: 'end_user' });
      const [message] = (await finch.store.listMessages(created.conversation.id))!;
      expect(message!.author).toMatchObject({ type: 'end_user', user: { id: user.id } });
    });

    it('Create Conversation without an author, from a loose user object (a new user, an id of "")', async () => {
      const created = await accepted('create_conversation', {
        user_id: '',
        user: { id: '', user_type: 'end_user', name: ' Cy ', email: 'cy@example.com' },
        initial_message: { body: 'Hello', object_id: '' },
        object_id: '',
      });
      const userId = created.conversation.user.id as string;
      expect(userId).toMatch(/^user_/);
      expect(created.initial_message.author).toMatchObject({ id: userId, user_type: 'end_user' });
      expect(await stored(userId)).toMatchObject({ name: 'Cy', email: 'cy@example.com', photoUrl: null });
      expect((await finch.store.findConversation(created.conversation.id))!.objectId).toBeNull();
    });

    it("takes the docs' own example, whose author id is not the user_id, as the end-user's message", async () => {
      const user = await accepted('create_user', { name: 'Gil' });
      const created = await accepted('create_conversation', {
        title: 'Question about pricing',
        user_id: user.id,
        object_id: unique('conv'),
        initial_message: {
          conversation_id: 'conv_456',
          message_type: 'comment',
          body: "<p>Hi! I'd like to know more about your pricing plans.</p>",
          author: { id: 'user_123456', user_type: 'end_user' },
          visibility: 'public',
          attributes: { issue_type: 'Billing', priority: 'High' },
          created_at: '2025-10-27T14:30:00.000Z',
          object_id: unique('msg'),
          attachments: [{ url: 'https://example.com/files/pricing-guide.pdf', filetype: 'pdf', filename: 'Pricing Guide 2025' }],
        },
      });
      expect(created.initial_message.author).toMatchObject({ id: user.id, user_type: 'end_user' });
      expect(created.conversation.attributes).toEqual({ issue_type: 'Billing', priority: 'High' });
    });

    it("merges initial_message.attributes into the conversation's attributes (top-level attributes win a shared key)", async () => {
      const user = await accepted('create_user', { name: 'Di' });
      const rest = await accepted('create_conversation', {
        user_id: user.id,
        initial_message: { body: 'Hi', author: { id: user.id, user_type: 'end_user' }, attributes: { issue_type: 'Billing', priority: 'High', gone: null } },
      });
      expect(rest.conversation.attributes).toEqual({ issue_type: 'Billing', priority: 'High' });
      const both = await accepted('create_conversation', {
        user_id: user.id,
        attributes: { priority: 'Low', channel: 'web' },
        initial_message: { body: 'Hi', attributes: { issue_type: 'Billing', priority: 'High' } },
      });
      expect(both.conversation.attributes).toEqual({ issue_type: 'Billing', priority: 'Low', channel: 'web' });
      expect((await finch.store.findConversation(both.conversation.id))!.attributes).toEqual(both.conversation.attributes);
    });

    it('initial_message.attributes keep the attribute limits (422, pointing into the message)', async () => {
      const user = await accepted('create_user', { name: 'Ed' });
      const before = await finch.dump();
      const response = await client.call('create_conversation', {
        user_id: user.id,
        initial_message: { body: 'Hi', attributes: { ['k'.repeat(300)]: 1 } },
      });
      expect(response.status).toBe(422);
      expect(response.problem).toMatchObject({ code: 'attribute_limit_exceeded', errors: [{ pointer: '/initial_message/attributes' }] });
      expect(await finch.dump()).toBe(before);
    });

    it('attachments with a null filetype and filename get them from the URL', async () => {
      const user = await accepted('create_user', { name: 'Flo' });
      const created = await accepted('create_conversation', {
        user_id: user.id,
        initial_message: { body: null, attachments: [{ url: 'https://files.example.com/guide.pdf', filetype: null, filename: null }] },
      });
      expect(created.initial_message.attachments).toEqual([{ url: 'https://files.example.com/guide.pdf', filetype: 'pdf', filename: 'guide.pdf' }]);
    });
  });
});
