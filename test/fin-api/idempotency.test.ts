/**
 * Spec §4, idempotency: a create whose object_id was seen before returns the first object, with
 * the same status and `Idempotent-Replayed: true`, also when 20 duplicates arrive at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FinResponse } from '../../src/client/fin-client.js';
import { VARIANTS } from '../../src/contract/models.js';
import { operation, type OperationName } from '../../src/contract/operations.js';
import { ok } from '../support/contract.js';
import { backends, startTestFinch, type TestFinch } from '../support/finch.js';
import { OpenApiValidator } from '../support/openapi.js';

const CONCURRENT = 20;

describe.each(backends())('idempotent creates on %s', (backend) => {
  let finch: TestFinch;
  let openapi: OpenApiValidator;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    openapi = await OpenApiValidator.load(finch.baseUrl);
  });
  afterAll(() => finch?.close());

  describe.each(VARIANTS)('%s variant', (variant) => {
    const tag = (label: string) => `${backend}-${variant}-${label}-${Math.random().toString(36).slice(2)}`;
    const idOf = (response: FinResponse, name: OperationName) => {
      const payload = response.payload as { id?: string; conversation?: { id: string } };
      return name === 'create_conversation' ? payload.conversation!.id : payload.id!;
    };

    /** Sends the same create `times` times at once; checks one was created and the rest replayed it. */
    async function race(name: OperationName, input: Record<string, unknown>, times: number) {
      const client = finch.client(variant);
      const responses = await Promise.all(Array.from({ length: times }, () => client.call(name, input)));
      const expected = variant === 'rest' ? operation(name).rest.status : 200;
      for (const response of responses) expect(response.status, JSON.stringify(response.body)).toBe(expected);
      const ids = new Set(responses.map((response) => idOf(response, name)));
      expect(ids.size).toBe(1);
      const fresh = responses.filter((response) => response.headers.get('idempotent-replayed') !== 'true');
      expect(fresh).toHaveLength(1);
      // Every replay answers exactly what the first request did.
      for (const response of responses) expect(response.payload).toEqual(fresh[0]!.payload);
      return { id: [...ids][0]!, payload: fresh[0]!.payload as any };
    }

    it('replays Create User with the same status and the first user', async () => {
      const objectId = tag('user');
      const { id } = await race('create_user', { name: 'Once', email: 'once@example.com', object_id: objectId }, 2);
      const third = await finch.client(variant).call('create_user', { name: 'Changed', object_id: objectId });
      expect(third.headers.get('idempotent-replayed')).toBe('true');
      expect(third.payload).toMatchObject({ id, name: 'Once' });
    });

    it(`creates one user from ${CONCURRENT} concurrent duplicates`, async () => {
      const objectId = tag('user');
      const { id } = await race('create_user', { name: 'Race', object_id: objectId }, CONCURRENT);
      expect(await finch.store.findUser(id)).toMatchObject({ objectId });
    });

    it(`creates one conversation, one initial message and one user from ${CONCURRENT} concurrent duplicates`, async () => {
      const userId = tag('ext-user');
      const objectId = tag('conv');
      const { id, payload } = await race(
        'create_conversation',
        {
          object_id: objectId,
          user: { id: userId, name: 'Racer' },
          initial_message: { body: 'First!', author: { id: userId, user_type: 'end_user' }, object_id: tag('msg') },
        },
        CONCURRENT,
      );
      const messages = (await finch.store.listMessages(id))!;
      expect(messages.map((message) => message.id)).toEqual([payload.initial_message.id]);
      expect(await finch.store.findUser(userId)).toMatchObject({ id: userId, name: 'Racer' });
    });

    it(`creates one message from ${CONCURRENT} concurrent duplicates`, async () => {
      const api = { client: finch.client(variant), openapi };
      const user = await ok(api, 'create_user', { name: 'Msg', object_id: tag('user') });
      const created = await ok(api, 'create_conversation', {
        user_id: user.id,
        initial_message: { body: 'Hi', author: { id: user.id, user_type: 'end_user' } },
      });
      const conversationId = created.conversation.id;
      const objectId = tag('msg');
      const { id } = await race(
        'create_message',
        { conversation_id: conversationId, body: 'Exactly once', author: { id: user.id, user_type: 'end_user' }, object_id: objectId },
        CONCURRENT,
      );
      const messages = (await finch.store.listMessages(conversationId))!;
      expect(messages.filter((message) => message.objectId === objectId).map((message) => message.id)).toEqual([id]);
      expect(messages).toHaveLength(2);
    });

    it('keeps object ids of each kind apart', async () => {
      const shared = tag('shared');
      const user = await finch.client(variant).call('create_user', { name: 'Shared', object_id: shared });
      const userId = (user.payload as { id: string }).id;
      const conversation = await finch.client(variant).call('create_conversation', {
        object_id: shared,
        user_id: userId,
        initial_message: { body: 'x', author: { id: userId, user_type: 'end_user' }, object_id: shared },
      });
      expect(conversation.headers.get('idempotent-replayed')).toBeNull();
    });
  });
});
