/**
 * The whole path on SQLite and PostgreSQL with a fake clock: Fin hands a conversation over on a
 * Friday afternoon in Berlin, before a Monday holiday; the agent API shows the reply due on Tuesday
 * morning; the SLA job records the breach once Tuesday's hour has passed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlaClockJob } from '../../src/jobs/sla-clock.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';
import { BERLIN, slaActivity, useSla } from './sla-support.js';

describe.each(sqlBackends())("Fin's hand-over starts the SLA clock on %s", (backend) => {
  let finch: TestFinch;
  let agent: AgentClient;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    agent = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Hana')).email, PASSWORD);
    await useSla(finch, { ...BERLIN, holidays: ['2026-11-09'] });
  });
  afterAll(() => finch?.close());

  it('counts business hours over the weekend and the holiday', async () => {
    // The fake clock: Friday 6 November 2026, 16:30 in Berlin (15:30Z).
    finch.clock.advance(Date.parse('2026-11-06T15:30:00.000Z') - finch.clock.now().getTime());
    const { id } = await finConversation(finch);
    expect((await finch.client('post').call('update_conversation', { conversation_id: id, assignee_id: null })).status).toBe(200);

    const { conversation } = (await agent.get(`/conversations/${id}`)).body;
    // The fake clock runs on from where it was put: the hand-over came a few milliseconds after 16:30.
    const ranOn = Date.parse(conversation.handed_over_at) - Date.parse('2026-11-06T15:30:00.000Z');
    expect(ranOn).toBeGreaterThanOrEqual(0);
    expect(ranOn).toBeLessThan(10_000);
    expect(conversation).toMatchObject({ queue: 'waiting', sla_breached_at: null });
    expect(Date.parse(conversation.reply_due_at)).toBe(Date.parse('2026-11-10T08:30:00.000Z') + ranOn);

    const job = new SlaClockJob({ sla: finch.finch!.sla, unitOfWork: finch.finch!.store });
    await job.run(new Date('2026-11-09T12:00:00.000Z'));
    expect(await slaActivity(finch, id)).toEqual([]);
    await job.run(new Date('2026-11-10T08:20:00.000Z'));
    expect((await slaActivity(finch, id)).map((entry) => entry.kind)).toEqual(['sla_due_soon']);
    await job.run(new Date('2026-11-10T08:31:00.000Z'));
    expect((await slaActivity(finch, id)).map((entry) => entry.kind)).toEqual(['sla_due_soon', 'sla_breached']);
    expect((await agent.get(`/conversations/${id}`)).body.conversation.sla_breached_at).toBe('2026-11-10T08:31:00.000Z');
  });

  it('keeps the clock through a take-over and an assignment by Fin, and stops it when handed back to Fin', async () => {
    const hana = (await agent.get('/session')).body.agent as { id: string };
    const due = async (id: string) => (await agent.get(`/conversations/${id}`)).body.conversation.reply_due_at as string | null;
    const handOver = async () => {
      const { id } = await finConversation(finch);
      expect((await finch.client('post').call('update_conversation', { conversation_id: id, assignee_id: null })).status).toBe(200);
      expect(await due(id)).not.toBeNull();
      return id;
    };
    const taken = await handOver();
    expect((await agent.post(`/conversations/${taken}/takeover`)).status).toBe(200);
    expect(await due(taken)).not.toBeNull();
    expect((await agent.post(`/conversations/${taken}/handback`)).status).toBe(200);
    expect(await due(taken)).toBeNull();

    const byFin = await handOver();
    expect((await finch.client('post').call('update_conversation', { conversation_id: byFin, assignee_id: hana.id })).status).toBe(200);
    expect(await due(byFin)).not.toBeNull();
  });

  it("answers with what the SLA clock wrote in the same change: Fin's hand-over, an agent's resolve", async () => {
    await useSla(finch, { ...BERLIN, writeReplyDueAttribute: true });
    try {
      const { id } = await finConversation(finch);
      const handed = await finch.client('post').call('update_conversation', { conversation_id: id, assignee_id: null });
      expect(handed.status).toBe(200);
      const { conversation } = (await agent.get(`/conversations/${id}`)).body;
      expect(conversation.reply_due_at).not.toBeNull();
      // Fin's own answer already carries the attribute its workflows read.
      expect(JSON.stringify(handed.body)).toContain(conversation.reply_due_at);

      const resolved = await agent.patch(`/conversations/${id}`, { status: 'resolved' });
      expect(resolved.status).toBe(200);
      expect(resolved.body).toMatchObject({ reply_due_at: null, resolve_due_at: null, handed_over_at: null });
    } finally {
      await useSla(finch, { ...BERLIN, holidays: ['2026-11-09'] });
    }
  });
});
