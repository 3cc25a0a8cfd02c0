/**
 * No stale overwrite: an agent's change (title, tags, attributes, status) is never undone by a Fin
 * Update Conversation computed before Fin read it. The answer is 200 with the current conversation
 * and Fin is told to pull again. Once Fin has read the change, Fin's new values apply, its own tags
 * only: tags people added stay. While a person holds the conversation, Fin never changes its status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIANTS } from '../../src/contract/models.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent, outboxOf } from '../support/helpdesk.js';

describe.each(sqlBackends())('Fin and people on %s', (backend) => {
  let finch: TestFinch;
  let asHana: AgentClient;

  beforeAll(async () => {
    finch = await startTestFinch(backend, { fin: { integrationId: 'int_1', webhookKey: 'key', baseUrl: 'http://127.0.0.1:1' } });
    const hana = await makeAgent(finch, 'Hana');
    asHana = await AgentClient.signIn(finch.baseUrl, hana.email, PASSWORD);
  });
  afterAll(() => finch?.close());

  /** Sync events for the conversation, each coalesced change counted. */
  const notifications = async (id: string) => (await outboxOf(finch, id)).filter((e) => e.kind === 'sync').reduce((sum, e) => sum + 1 + e.coalesced, 0);

  describe.each(VARIANTS)('%s variant', (variant) => {
    const fin = () => finch.client(variant);
    const read = async (id: string) => {
      const response = await fin().call('get_conversation', { conversation_id: id });
      expect(response.status).toBe(200);
      return response.payload as { title: string | null; tags: string[]; attributes: Record<string, unknown>; status: string };
    };
    const update = async (input: Record<string, unknown>) => {
      const response = await fin().call('update_conversation', input);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.payload as { title: string | null; tags: string[]; attributes: Record<string, unknown>; status: string; assignee: { id: string } | null };
    };

    /** A conversation Fin titled and tagged, then read. */
    async function finsConversation() {
      const { id } = await finConversation(finch, 'Refund please');
      await update({ conversation_id: id, title: 'Refund (Fin)', tags: ['fin-bot'], attributes: { channel: 'web', plan: 'pro' } });
      return { id, seen: await read(id) };
    }

    it("keeps the agent's title, tags, attributes and status against Fin's update from before, and tells Fin", async () => {
      const { id, seen } = await finsConversation();
      const edited = await asHana.patch(`/conversations/${id}`, {
        title: 'Refund for order 1234',
        tags: ['fin-bot', 'vip'],
        attributes: { plan: 'enterprise' },
        status: 'resolved',
      });
      expect(edited.status).toBe(200);
      const before = await notifications(id);

      // Fin's end-of-sync update, derived from what it read before the agent's edit.
      const answer = await update({ conversation_id: id, title: seen.title, tags: seen.tags, attributes: seen.attributes, status: seen.status });
      expect(answer).toMatchObject({ title: 'Refund for order 1234', status: 'resolved', attributes: { channel: 'web', plan: 'enterprise' } });
      expect(answer.tags.sort()).toEqual(['fin-bot', 'vip']);
      expect(await read(id)).toMatchObject({ title: 'Refund for order 1234', status: 'resolved' });
      expect(await notifications(id)).toBeGreaterThan(before);
    });

    it('lets Fin change them once it has read the change: its own tags only, people’s tags stay', async () => {
      const { id } = await finsConversation();
      await asHana.patch(`/conversations/${id}`, {
        title: 'Refund for order 1234',
        tags: ['fin-bot', 'vip'],
        attributes: { plan: 'enterprise' },
        status: 'resolved',
      });
      await read(id);
      const before = await notifications(id);
      const answer = await update({ conversation_id: id, title: 'Refund sent', tags: ['refund'], attributes: { plan: 'team' }, status: 'closed' });
      expect(answer).toMatchObject({ title: 'Refund sent', status: 'closed', attributes: { channel: 'web', plan: 'team' } });
      expect(answer.tags.sort()).toEqual(['refund', 'vip']);
      // Nothing Fin had not seen was refused: no need to pull again.
      expect(await notifications(id)).toBe(before);
    });

    it('does not let Fin put back, after reading, the values people replaced (its old state repeated)', async () => {
      const { id, seen } = await finsConversation();
      await asHana.patch(`/conversations/${id}`, { title: 'Agent title', tags: ['vip'] });
      await read(id);
      const before = await notifications(id);
      const answer = await update({ conversation_id: id, title: seen.title, tags: seen.tags });
      expect(answer.title).toBe('Agent title');
      expect(answer.tags).toContain('vip');
      // Fin had read it: a repeat is not a reason to notify again (no loop).
      expect(await notifications(id)).toBe(before);
    });

    it('never changes the status while a person holds the conversation', async () => {
      const { id } = await finsConversation();
      expect((await asHana.post(`/conversations/${id}/takeover`)).status).toBe(200);
      await read(id);
      const answer = await update({ conversation_id: id, status: 'resolved', title: 'Fin may still title it' });
      expect(answer).toMatchObject({ status: 'open', title: 'Fin may still title it' });
    });
  });
});
