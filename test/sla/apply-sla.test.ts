/**
 * The SLA clock's start and stop in the change's transaction, on SQLite and PostgreSQL: due times
 * across a weekend, a holiday and a daylight-saving change in Berlin, the clear on the first
 * reply and on resolving, and the `finch_reply_due_at` attribute with its sync event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent, outboxOf } from '../support/helpdesk.js';
import { BERLIN, firstReply, handedOver, record, statusChanged, useSla } from './sla-support.js';

describe.each(sqlBackends())('the SLA clock on %s', (backend) => {
  let finch: TestFinch;
  let agent: AgentClient;
  let agentId: string;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    const hana = await makeAgent(finch, 'Hana');
    agentId = hana.id;
    agent = await AgentClient.signIn(finch.baseUrl, hana.email, PASSWORD);
    await useSla(finch, BERLIN);
  });
  afterAll(() => finch?.close());

  const view = async (id: string) => {
    const response = await agent.get(`/conversations/${id}`);
    expect(response.status).toBe(200);
    return (response.body.conversation ?? response.body) as Record<string, unknown> & { attributes: Record<string, unknown> };
  };

  it('sets the due times in business hours from a hand-over on Friday afternoon (over the weekend)', async () => {
    const { id } = await finConversation(finch);
    // Friday 2026-11-06 16:30 Berlin (15:30Z): 30 min on Friday, 30 on Monday → 09:30 (08:30Z).
    await record(finch, [handedOver(id, '2026-11-06T15:30:00.000Z')]);
    expect(await view(id)).toMatchObject({
      handed_over_at: '2026-11-06T15:30:00.000Z',
      reply_due_at: '2026-11-09T08:30:00.000Z',
      // 8 hours: 30 min Friday, 7 h 30 Monday → Monday 16:30 (15:30Z).
      resolve_due_at: '2026-11-09T15:30:00.000Z',
      sla_breached_at: null,
    });
  });

  it('skips the holidays and the weekend after them (Christmas)', async () => {
    const { id } = await finConversation(finch);
    // Wednesday 23 December 16:30: 30 min, then 24th, 25th (holidays), 26th–27th (weekend) → Monday 28th 09:30 (08:30Z).
    await record(finch, [handedOver(id, '2026-12-23T15:30:00.000Z')]);
    expect(await view(id)).toMatchObject({ reply_due_at: '2026-12-28T08:30:00.000Z' });
  });

  it('keeps to the local clock over the daylight-saving change', async () => {
    const { id } = await finConversation(finch);
    // Friday 27 March 16:30 CET (15:30Z) → Monday 30 March 09:30 CEST (07:30Z).
    await record(finch, [handedOver(id, '2026-03-27T15:30:00.000Z')]);
    expect(await view(id)).toMatchObject({ reply_due_at: '2026-03-30T07:30:00.000Z' });
  });

  it('stops the reply clock at the first human reply and every clock when resolved', async () => {
    const { id } = await finConversation(finch);
    await record(finch, [handedOver(id, '2026-11-03T09:00:00.000Z')]);
    await record(finch, [firstReply(id, '2026-11-03T09:20:00.000Z', agentId)]);
    expect(await view(id)).toMatchObject({ handed_over_at: null, reply_due_at: null, resolve_due_at: '2026-11-04T09:00:00.000Z' });
    await record(finch, [statusChanged(id, '2026-11-03T10:00:00.000Z', 'resolved')]);
    expect(await view(id)).toMatchObject({ handed_over_at: null, reply_due_at: null, resolve_due_at: null });
  });

  it('without targets still keeps when it was handed over', async () => {
    await useSla(finch, { ...BERLIN, firstReplyMinutes: null, resolutionMinutes: null });
    try {
      const { id } = await finConversation(finch);
      await record(finch, [handedOver(id, '2026-11-03T09:00:00.000Z')]);
      expect(await view(id)).toMatchObject({ handed_over_at: '2026-11-03T09:00:00.000Z', reply_due_at: null, resolve_due_at: null });
    } finally {
      await useSla(finch, BERLIN);
    }
  });

  it('writes finch_reply_due_at when asked, tells Fin, and removes it once replied', async () => {
    const pendingSyncs = async (id: string) => (await outboxOf(finch, id)).filter((event) => event.kind === 'sync' && event.status === 'pending').length;
    const { id } = await finConversation(finch);
    await record(finch, [handedOver(id, '2026-11-03T09:00:00.000Z')]);
    expect((await view(id)).attributes).not.toHaveProperty('finch_reply_due_at');
    expect(await pendingSyncs(id)).toBe(0);

    await useSla(finch, { ...BERLIN, writeReplyDueAttribute: true });
    try {
      const { id: other } = await finConversation(finch);
      expect(await pendingSyncs(other)).toBe(0);
      await record(finch, [handedOver(other, '2026-11-03T09:00:00.000Z')]);
      const handed = await view(other);
      expect(handed.attributes.finch_reply_due_at).toBe('2026-11-03T10:00:00.000Z');
      expect(await pendingSyncs(other)).toBe(1);
      // Finch's own write: not recorded as people's change, so Fin may change it.
      const row = await finch.database!.db.selectFrom('conversations').select('people_edits').where('id', '=', other).executeTakeFirstOrThrow();
      expect(JSON.stringify(row.people_edits ?? {})).not.toContain('finch_reply_due_at');

      await record(finch, [firstReply(other, '2026-11-03T09:30:00.000Z', agentId)]);
      expect((await view(other)).attributes).not.toHaveProperty('finch_reply_due_at');
    } finally {
      await useSla(finch, BERLIN);
    }
  });

  it('keeps a running clock when the conversation is handed over again before anyone replied', async () => {
    const { id } = await finConversation(finch);
    await record(finch, [handedOver(id, '2026-11-03T09:00:00.000Z')]);
    await record(finch, [handedOver(id, '2026-11-04T09:00:00.000Z')]);
    expect(await view(id)).toMatchObject({ handed_over_at: '2026-11-03T09:00:00.000Z', reply_due_at: '2026-11-03T10:00:00.000Z' });
  });

  it('starts again on a hand-over after the reply, clearing the last breach', async () => {
    const { id } = await finConversation(finch);
    await record(finch, [handedOver(id, '2026-11-03T09:00:00.000Z')]);
    await finch.database!.db.updateTable('conversations').set({ sla_breached_at: '2026-11-03T10:00:00.000Z' }).where('id', '=', id).execute();
    await record(finch, [firstReply(id, '2026-11-03T11:00:00.000Z', agentId)]);
    expect(await view(id)).toMatchObject({ sla_breached_at: '2026-11-03T10:00:00.000Z', reply_due_at: null });
    await record(finch, [handedOver(id, '2026-11-04T09:00:00.000Z')]);
    expect(await view(id)).toMatchObject({ sla_breached_at: null, reply_due_at: '2026-11-04T10:00:00.000Z' });
  });
});
