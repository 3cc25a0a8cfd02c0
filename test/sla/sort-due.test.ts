/** Waiting sorted by due time, on SQLite and PostgreSQL: soonest (most overdue) first, then those without one by waiting time, paged by cursor. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';
import { BERLIN, restartClock, useSla } from './sla-support.js';

describe.each(sqlBackends())('sort=due on %s', (backend) => {
  let finch: TestFinch;
  let agent: AgentClient;
  let expected: string[];
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    const hana = await makeAgent(finch, 'Hana');
    const agentId = hana.id;
    agent = await AgentClient.signIn(finch.baseUrl, hana.email, PASSWORD);
    const handOver = async () => {
      const { id } = await finConversation(finch);
      const response = await finch.client('post').call('update_conversation', { conversation_id: id, assignee_id: null });
      expect(response.status).toBe(200);
      finch.clock.advance(1000);
      return id;
    };
    // Without a target: waiting, no due time, in the order handed over.
    await useSla(finch, { ...BERLIN, firstReplyMinutes: null, resolutionMinutes: null });
    const dueless: string[] = [];
    for (let i = 0; i < 4; i++) dueless.push(await handOver());
    // With the 60-minute target: due times by when each was handed over (two share one).
    await useSla(finch, BERLIN);
    const handedAt = [
      '2026-11-03T12:00:00.000Z',
      '2026-11-02T09:00:00.000Z',
      '2026-11-03T09:00:00.000Z',
      '2026-11-02T09:00:00.000Z',
      '2026-11-04T09:00:00.000Z',
    ];
    const due: Array<[string, string]> = [];
    for (const at of handedAt) {
      const id = await handOver();
      await restartClock(finch, id, at, agentId);
      due.push([at, id]);
    }
    due.sort(([a, idA], [b, idB]) => (a === b ? (idA < idB ? -1 : 1) : a < b ? -1 : 1));
    expected = [...due.map(([, id]) => id), ...dueless];
  });
  afterAll(() => finch?.close());

  const page = async (query: string) => {
    const response = await agent.get(`/conversations?queue=waiting&sort=due&${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as { conversations: Array<{ id: string; reply_due_at: string | null }>; next_cursor: string | null };
  };

  it('lists due times soonest first, then the rest by waiting time', async () => {
    const all = await page('limit=100');
    expect(all.conversations.map((c) => c.id)).toEqual(expected);
    expect(all.conversations.slice(0, 5).every((c) => c.reply_due_at !== null)).toBe(true);
    expect(all.next_cursor).toBeNull();
  });

  it.each([1, 2, 3, 5])('pages through the same order %i at a time', async (limit) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const next: Awaited<ReturnType<typeof page>> = await page(`limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...next.conversations.map((c) => c.id));
      cursor = next.next_cursor;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it("keeps the waiting queue's own order without sort, and refuses its cursor in the due order", async () => {
    const plain = await agent.get('/conversations?queue=waiting&limit=2');
    expect(plain.body.conversations.map((c: { id: string }) => c.id)).toEqual(expected.slice(5, 7));
    const mixed = await agent.get(`/conversations?queue=waiting&sort=due&cursor=${plain.body.next_cursor}`);
    expect(mixed.status).toBe(400);
    expect(mixed.body).toMatchObject({ code: 'invalid_cursor' });
    // Nor in another queue: waiting is oldest first, the others newest first, so its position means nothing there.
    const elsewhere = await agent.get(`/conversations?queue=all&cursor=${plain.body.next_cursor}`);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body).toMatchObject({ code: 'invalid_cursor' });
  });

  it.each([
    ['a time that is not one', { at: 'garbage', id: 'x', due: '1' }],
    ['a time out of range', { at: '9999-99-99T99:99:99Z', id: 'x', due: '1' }],
    ['a time without milliseconds', { at: '2026-11-02T09:00:00Z', id: 'x', due: '0' }],
    ['a due flag that is not one', { at: '2026-11-02T09:00:00.000Z', id: 'x', due: 'yes' }],
    ['a missing id', { at: '2026-11-02T09:00:00.000Z', due: '1' }],
    ['an id that is not a string', { at: '2026-11-02T09:00:00.000Z', id: 7, due: '1' }],
  ])('refuses a forged cursor (%s) with 400 invalid_cursor, in the due order and the default one', async (_name, position) => {
    const forged = Buffer.from(JSON.stringify({ of: 'queue:waiting:due', ...position })).toString('base64url');
    const { due: _due, ...plain } = position;
    const forgedPlain = Buffer.from(JSON.stringify({ of: 'queue:waiting:default', ...plain })).toString('base64url');
    for (const query of [`sort=due&cursor=${forged}`, `cursor=${forgedPlain}`]) {
      const response = await agent.get(`/conversations?queue=waiting&${query}`);
      expect(response.status, `${query}: ${JSON.stringify(response.body)}`).toBe(position.due === 'yes' && !query.startsWith('sort') ? 200 : 400);
      if (response.status === 400) expect(response.body).toMatchObject({ code: 'invalid_cursor', errors: [{ pointer: '/cursor' }] });
    }
  });

  it("refuses the due order's cursor in the default order", async () => {
    const first = await page('limit=2');
    const response = await agent.get(`/conversations?queue=waiting&cursor=${first.next_cursor}`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid_cursor' });
  });
});
