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
import { ok } from '../support/contract.js';
import { backends, startTestFinch, type TestFinch } from '../support/finch.js';
import { OpenApiValidator } from '../support/openapi.js';

describe.each(backends())('lenient Fin input on %s', (backend) => {
  let finch: TestFinch;
  let openapi: OpenApiValidator;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    openapi = await OpenApiValidator.load(finch.baseUrl);
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

    it('Create User keeps loose user fields: trimmed, "" as null, what is not an address or URL as text', async () => {
      const padded = await accepted('create_user', { name: '  Jane Doe ', email: 'JANE@EXAMPLE.COM ', photo_url: '/avatars/jane.jpg' });
      expect(await stored(padded.id)).toEqual({ name: 'Jane Doe', email: 'JANE@EXAMPLE.COM', photoUrl: '/avatars/jane.jpg', objectId: null, attributes: {} });
      const dotless = await accepted('create_user', { name: '', email: 'jane@example', photo_url: 'avatars/jane.jpg' });
      expect(await stored(dotless.id)).toMatchObject({ name: null, email: 'jane@example', photoUrl: 'avatars/jane.jpg' });
      const empty = await accepted('create_user', { email: '', photo_url: ' ' });
      expect(await stored(empty.id)).toMatchObject({ email: null, photoUrl: null });
      const text = await accepted('create_user', { email: 'not an email', photo_url: 'http://example.com/jane.jpg' });
      expect(await stored(text.id)).toMatchObject({ email: 'not an email', photoUrl: 'http://example.com/jane.jpg' });
    });

    it('Create User with an object_id of "" makes a new user each time (no idempotency key)', async () => {
      const first = await accepted('create_user', { name: 'A', object_id: '' });
      const second = await accepted('create_user', { name: 'A', object_id: '' });
      expect(second.id).not.toBe(first.id);
      expect(await stored(first.id)).toMatchObject({ objectId: null });
    });

    it('Update User sets name, email and photo_url, as loosely as Create User', async () => {
      const user = await accepted('create_user', { name: 'Sam', email: 'sam@example.com', attributes: { plan: 'pro' } });
      await accepted('update_user', { user_id: user.id, email: ' jane@example ', photo_url: '' });
      expect(await stored(user.id)).toMatchObject({ name: 'Sam', email: 'jane@example', photoUrl: null, attributes: { plan: 'pro' } });
      await accepted('update_user', { user_id: user.id, name: ' Sam S. ', email: 'SAM@EXAMPLE.COM ', attributes: { seats: 2 } });
      expect(await stored(user.id)).toMatchObject({ name: 'Sam S.', email: 'SAM@EXAMPLE.COM', attributes: { plan: 'pro', seats: 2 } });
    });

    it("Update Conversation's user object: loose fields and any user_type", async () => {
      const user = await accepted('create_user', { name: 'Ann' });
      const created = await accepted('create_conversation', { user_id: user.id, initial_message: { body: 'Hi' } });
      await accepted('update_conversation', {
        conversation_id: created.conversation.id,
        user: { id: user.id, user_type: 'lead', email: 'ANN@EXAMPLE ', photo_url: 'avatars/ann.png' },
      });
      expect(await stored(user.id)).toMatchObject({ name: 'Ann', email: 'ANN@EXAMPLE', photoUrl: 'avatars/ann.png' });
    });

    it('Update Conversation\'s user object with an id of "" is the conversation\'s end-user', async () => {
      const user = await accepted('create_user', { name: 'Dee' });
      const created = await accepted('create_conversation', { user_id: user.id, initial_message: { body: 'Hi' } });
      await accepted('update_conversation', { conversation_id: created.conversation.id, user: { id: '', name: 'Dee Dee' } });
      expect(await stored(user.id)).toMatchObject({ name: 'Dee Dee' });
    });

    it('Create Message with an object_id of "" adds a message each time (no idempotency key)', async () => {
      const user = await accepted('create_user', { name: 'Eve' });
      const created = await accepted('create_conversation', { user_id: user.id, initial_message: { body: 'Hi' } });
      const message = { conversation_id: created.conversation.id, body: 'Again', author: { id: user.id, user_type: 'end_user' }, object_id: '' };
      const first = await accepted('create_message', message);
      const second = await accepted('create_message', message);
      expect(second.id).not.toBe(first.id);
      const thread = (await finch.store.listMessages(created.conversation.id))!;
      expect(thread.filter((each) => each.body?.includes('Again')).map((each) => each.objectId)).toEqual([null, null]);
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
        user: { id: '', user_type: 'end_user', name: ' Cy ', email: 'cy@example', photo_url: '' },
        initial_message: { body: 'Hello', object_id: '' },
        object_id: '',
      });
      const userId = created.conversation.user.id as string;
      expect(userId).toMatch(/^user_/);
      expect(created.initial_message.author).toMatchObject({ id: userId, user_type: 'end_user' });
      expect(await stored(userId)).toMatchObject({ name: 'Cy', email: 'cy@example', photoUrl: null });
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

    it('answers Fin only what the contract allows: an email that is not an address and a photo that is not an absolute URL are null', async () => {
      const api = { client, openapi };
      const loose = await ok(api, 'create_user', { email: 'jane@example', photo_url: '/avatars/jane.jpg' });
      expect(loose).toMatchObject({ email: null, photo_url: null });
      expect(await ok(api, 'get_user', { user_id: loose.id })).toMatchObject({ email: null, photo_url: null });
      const fine = await ok(api, 'create_user', { email: 'JANE@EXAMPLE.COM ', photo_url: ' https://example.com/jane.jpg' });
      expect(fine).toMatchObject({ email: 'JANE@EXAMPLE.COM', photo_url: 'https://example.com/jane.jpg' });
      const created = await ok(api, 'create_conversation', { user_id: loose.id, initial_message: { body: 'Hi' } });
      expect(created.conversation.user).toMatchObject({ email: null, photo_url: null });
      expect(created.initial_message.author).toMatchObject({ email: null, photo_url: null });
    });
  });
});
