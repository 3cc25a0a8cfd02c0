/**
 * The SLA job, on SQLite and PostgreSQL: "due soon" once and "breached" once per conversation and
 * target, also with two nodes running it at the same moment (PostgreSQL: two Finch processes' stores
 * on one database), and nothing once the reply came.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slaBackground } from '../../src/cli/sla-background.js';
import type { Config } from '../../src/config.js';
import { SlaClockJob, soonMs } from '../../src/jobs/sla-clock.js';
import { Scheduler } from '../../src/jobs/scheduler.js';
import { SqlJobLeases } from '../../src/store/sql/sql-job-leases.js';
import { FakeClock } from '../support/fake-clock.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';
import { BERLIN, firstReply, handedOver, record, slaActivity, useSla } from './sla-support.js';

const job = (finch: TestFinch) => new SlaClockJob({ sla: finch.finch!.sla, unitOfWork: finch.finch!.store });

describe('how soon is "due soon"', () => {
  it('is the lesser of 15 minutes and a fifth of the target', () => {
    expect(soonMs(60)).toBe(12 * 60_000);
    expect(soonMs(240)).toBe(15 * 60_000);
    expect(soonMs(null)).toBe(15 * 60_000);
  });
});

describe.each(sqlBackends())('the SLA job on %s', (backend) => {
  let finch: TestFinch;
  let second: TestFinch | undefined;
  let agent: AgentClient;
  let agentId: string;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    if (backend === 'postgres') second = await startTestFinch('postgres', { databaseUrl: finch.databaseUrl });
    const hana = await makeAgent(finch, 'Hana');
    agentId = hana.id;
    agent = await AgentClient.signIn(finch.baseUrl, hana.email, PASSWORD);
    // First reply in 60 business minutes: "due soon" 12 minutes before.
    await useSla(finch, { ...BERLIN, resolutionMinutes: null });
  });
  afterAll(async () => {
    await second?.close();
    await finch?.close();
  });

  it('warns once when due soon, then records the breach once and shows it', async () => {
    const { id } = await finConversation(finch);
    // Tuesday 2026-11-03 10:00 Berlin (09:00Z): due at 10:00Z.
    await record(finch, [handedOver(id, '2026-11-03T09:00:00.000Z')]);
    const clock = job(finch);
    const at = (time: string) => new Date(`2026-11-03T${time}:00.000Z`);

    expect(await clock.run(at('09:47'))).toEqual({ breached: 0, due_soon: 0 });
    expect(await slaActivity(finch, id)).toEqual([]);
    expect(await clock.run(at('09:48'))).toEqual({ breached: 0, due_soon: 1 });
    expect(await clock.run(at('09:55'))).toEqual({ breached: 0, due_soon: 0 });
    expect(await slaActivity(finch, id)).toEqual([{ kind: 'sla_due_soon', details: { target: 'first_reply', dueAt: '2026-11-03T10:00:00.000Z' } }]);

    expect(await clock.run(at('10:00'))).toEqual({ breached: 1, due_soon: 0 });
    expect(await clock.run(at('10:30'))).toEqual({ breached: 0, due_soon: 0 });
    expect((await slaActivity(finch, id)).map((entry) => entry.kind)).toEqual(['sla_due_soon', 'sla_breached']);
    const view = (await agent.get(`/conversations/${id}`)).body.conversation;
    expect(view).toMatchObject({ reply_due_at: '2026-11-03T10:00:00.000Z', sla_breached_at: '2026-11-03T10:00:00.000Z' });
  });

  it('records a breach found late without warning after it', async () => {
    const { id } = await finConversation(finch);
    await record(finch, [handedOver(id, '2026-11-04T09:00:00.000Z')]);
    expect(await job(finch).run(new Date('2026-11-04T12:00:00.000Z'))).toMatchObject({ breached: 1, due_soon: 0 });
    expect((await slaActivity(finch, id)).map((entry) => entry.kind)).toEqual(['sla_breached']);
  });

  it('records nothing once the first reply came', async () => {
    const { id } = await finConversation(finch);
    await record(finch, [handedOver(id, '2026-11-05T09:00:00.000Z')]);
    await record(finch, [firstReply(id, '2026-11-05T09:10:00.000Z', agentId)]);
    await job(finch).run(new Date('2026-11-05T12:00:00.000Z'));
    expect(await slaActivity(finch, id)).toEqual([]);
  });

  it('warns and records again after a reply and a new hand-over', async () => {
    const { id } = await finConversation(finch);
    await record(finch, [handedOver(id, '2026-11-06T09:00:00.000Z')]);
    await job(finch).run(new Date('2026-11-06T12:00:00.000Z'));
    await record(finch, [firstReply(id, '2026-11-06T12:30:00.000Z', agentId)]);
    await record(finch, [handedOver(id, '2026-11-09T09:00:00.000Z')]);
    await job(finch).run(new Date('2026-11-09T09:50:00.000Z'));
    await job(finch).run(new Date('2026-11-09T10:00:00.000Z'));
    expect((await slaActivity(finch, id)).map((entry) => entry.kind)).toEqual(['sla_breached', 'sla_due_soon', 'sla_breached']);
  });

  it('records each once when two nodes run it at the same moment', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await finConversation(finch)).id);
    for (const id of ids) await record(finch, [handedOver(id, '2026-11-10T09:00:00.000Z')]);
    const now = new Date('2026-11-10T11:00:00.000Z');
    const outcomes = await Promise.all([job(finch).run(now), job(second ?? finch).run(now), job(finch).run(now)]);
    expect(outcomes.reduce((sum, outcome) => sum + Number(outcome.breached), 0)).toBe(20);
    for (const id of ids) expect((await slaActivity(finch, id)).map((entry) => entry.kind)).toEqual(['sla_breached']);
  });

  it('warns of and records the resolution target too, which the first reply does not stop', async () => {
    await useSla(finch, { ...BERLIN, firstReplyMinutes: null, resolutionMinutes: 120 });
    try {
      const { id } = await finConversation(finch);
      // Wednesday 2026-11-25 10:00 Berlin (09:00Z): resolution due 12:00 Berlin (11:00Z), "due soon" 15 minutes before.
      await record(finch, [handedOver(id, '2026-11-25T09:00:00.000Z')]);
      await record(finch, [firstReply(id, '2026-11-25T09:05:00.000Z', agentId)]);
      await job(finch).run(new Date('2026-11-25T10:45:00.000Z'));
      await job(finch).run(new Date('2026-11-25T11:00:00.000Z'));
      await job(finch).run(new Date('2026-11-25T11:30:00.000Z'));
      const details = { target: 'resolution', dueAt: '2026-11-25T11:00:00.000Z' };
      expect(await slaActivity(finch, id)).toEqual([
        { kind: 'sla_due_soon', details },
        { kind: 'sla_breached', details },
      ]);
    } finally {
      await useSla(finch, { ...BERLIN, resolutionMinutes: null });
    }
  });

  it('runs every 30 s under the scheduler on two nodes, each mark once', async () => {
    const { id } = await finConversation(finch);
    // Tuesday 17 November 10:00 Berlin: due at 10:00Z, "due soon" from 09:48Z.
    await record(finch, [handedOver(id, '2026-11-17T09:00:00.000Z')]);
    const logged: Array<Record<string, unknown>> = [];
    const logger = { info: (details: object) => void logged.push(details as Record<string, unknown>), warn: () => undefined, error: () => undefined };
    const nodes = [finch, second ?? finch].map((node, index) => {
      const clock = new FakeClock('2026-11-17T09:40:00.000Z');
      const { jobs } = slaBackground({ finch: node.finch!, config: {} as Config, logger, clock });
      return { clock, scheduler: new Scheduler({ jobs, leases: new SqlJobLeases(node.finch!.database), clock, logger, holder: `node-${index}` }) };
    });
    try {
      for (const node of nodes) node.scheduler.start();
      for (let elapsed = 0; elapsed <= 22 * 60_000; elapsed += 30_000) {
        for (const node of nodes) node.clock.advance(elapsed === 0 ? 0 : 30_000);
        await Promise.all(nodes.map((node) => node.scheduler.idle()));
      }
    } finally {
      await Promise.all(nodes.map((node) => node.scheduler.stop()));
    }
    const runs = logged.filter((details) => details.job === 'sla-clock');
    // One run per interval across both nodes: 09:40 to 10:02 is 45 intervals.
    expect(runs).toHaveLength(45);
    expect(runs.reduce((sum, run) => sum + Number(run.breached), 0)).toBe(1);
    expect(runs.reduce((sum, run) => sum + Number(run.due_soon), 0)).toBe(1);
    expect(await slaActivity(finch, id)).toEqual([
      { kind: 'sla_due_soon', details: { target: 'first_reply', dueAt: '2026-11-17T10:00:00.000Z' } },
      { kind: 'sla_breached', details: { target: 'first_reply', dueAt: '2026-11-17T10:00:00.000Z' } },
    ]);
  });
});
