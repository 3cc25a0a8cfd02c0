/**
 * Spec §4, handover and human takeover: `assignee_id: null` hands a conversation over; once a
 * human agent holds it, Fin's updates never move the assignee or change the status, whatever they
 * send; a deactivated holder holds nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIANTS } from '../../src/contract/models.js';
import type { Agent } from '../../src/domain/model.js';
import type { MemoryFinStore } from '../../src/store/memory/memory-fin-store.js';
import { ok, type ContractCaller } from '../support/contract.js';
import { backends, startTestFinch, type TestFinch } from '../support/finch.js';
import { OpenApiValidator } from '../support/openapi.js';

describe.each(backends())('handover and takeover on %s', (backend) => {
  let finch: TestFinch;
  let openapi: OpenApiValidator;
  let human: Agent;
  let colleague: Agent;
  let fin: Agent;

  const agent = (name: string) =>
    finch.store.insertAgent({
      name,
      email: `${name.toLowerCase()}@example.com`,
      alias: `${name} from Support`,
      photoUrl: null,
      role: 'agent',
      isFin: false,
      passwordHash: null,
      at: finch.clock.now().toISOString(),
    });

  beforeAll(async () => {
    finch = await startTestFinch(backend);
    openapi = await OpenApiValidator.load(finch.baseUrl);
    human = await agent('Hana');
    colleague = await agent('Carl');
    fin = await finch.store.findFinAgent();
  });
  afterAll(() => finch?.close());

  /** What the helpdesk side does when an agent takes a conversation (the agent API will do this). */
  const assignOnHelpdeskSide = (conversationId: string, assigneeId: string | null) =>
    finch.store.transaction((tx) => tx.updateConversation(conversationId, { assigneeId }, finch.clock.now().toISOString()));

  describe.each(VARIANTS)('%s variant', (variant) => {
    let api: ContractCaller;
    let conversationId: string;
    beforeAll(async () => {
      api = { client: finch.client(variant), openapi };
      const user = await ok(api, 'create_user', { name: 'Needs Help', object_id: `handover-${backend}-${variant}` });
      const created = await ok(api, 'create_conversation', {
        user_id: user.id,
        initial_message: { body: 'I want a human', author: { id: user.id, user_type: 'end_user' } },
      });
      conversationId = created.conversation.id;
      expect(created.conversation.assignee.id).toBe(fin.id);
    });

    it('hands over on assignee_id: null, and reads back with no assignee', async () => {
      const handedOver = await ok(api, 'update_conversation', { conversation_id: conversationId, assignee_id: null });
      expect(handedOver.assignee).toBeNull();
      expect((await ok(api, 'get_conversation', { conversation_id: conversationId })).assignee).toBeNull();
    });

    it('lets Fin take an unassigned conversation back, or give it to a named agent', async () => {
      expect((await ok(api, 'update_conversation', { conversation_id: conversationId, assignee_id: fin.id })).assignee.id).toBe(fin.id);
      const toHuman = await ok(api, 'update_conversation', { conversation_id: conversationId, assignee_id: human.id });
      expect(toHuman.assignee).toMatchObject({ id: human.id, name: 'Hana', [variant === 'rest' ? 'alias' : 'alias_name']: 'Hana from Support' });
      await assignOnHelpdeskSide(conversationId, null);
    });

    it('keeps the human assignee whatever Fin sends, and applies the rest of the update', async () => {
      await assignOnHelpdeskSide(conversationId, human.id);
      for (const assigneeId of [null, fin.id, colleague.id]) {
        const updated = await ok(api, 'update_conversation', {
          conversation_id: conversationId,
          assignee_id: assigneeId,
          title: `Still Hana's (${String(assigneeId)})`,
          attributes: { last_sync: String(assigneeId) },
        });
        expect(updated.assignee.id).toBe(human.id);
        expect(updated.title).toBe(`Still Hana's (${String(assigneeId)})`);
        expect(updated.attributes.last_sync).toBe(String(assigneeId));
      }
      expect((await ok(api, 'get_conversation', { conversation_id: conversationId })).assignee.id).toBe(human.id);
    });

    it('still refuses an unknown assignee while a human holds the conversation', async () => {
      const response = await api.client.call('update_conversation', { conversation_id: conversationId, assignee_id: 'agent_unknown' });
      expect(response.status).toBe(422);
    });

    it('keeps the status while a human holds the conversation, and applies the rest', async () => {
      await assignOnHelpdeskSide(conversationId, human.id);
      const updated = await ok(api, 'update_conversation', { conversation_id: conversationId, status: 'resolved', title: 'Titled by Fin' });
      expect(updated).toMatchObject({ status: 'open', title: 'Titled by Fin', assignee: { id: human.id } });
    });

    it('lets Fin hand over a conversation whose human holder was deactivated', async () => {
      const leaving = await agent(`Leaving-${variant}`);
      await assignOnHelpdeskSide(conversationId, leaving.id);
      if (finch.database) await finch.database.db.updateTable('agents').set({ active: 0 }).where('id', '=', leaving.id).execute();
      else await (finch.store as MemoryFinStore).deactivateAgent(leaving.id, finch.clock.now().toISOString());
      expect((await ok(api, 'update_conversation', { conversation_id: conversationId, assignee_id: null })).assignee).toBeNull();
    });

    it('follows Fin again once the helpdesk hands the conversation back', async () => {
      await assignOnHelpdeskSide(conversationId, fin.id);
      expect((await ok(api, 'update_conversation', { conversation_id: conversationId, assignee_id: null })).assignee).toBeNull();
    });
  });
});
