/**
 * Times JavaScript can write but no database column holds (year 0, signed six-digit years, a leap
 * second), sent wherever the agent API takes a time: in a page's cursor, and in a replay range.
 * PostgreSQL refused them with a 500; every one is now the caller's 400 or 422, on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/domain/model.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

const FAR = ['0000-01-01T00:00:00.000Z', '-000001-01-01T00:00:00.000Z', '+010000-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z'];

/** A cursor as Finch writes one (domain/helpdesk/cursor.ts), naming its list, so that only the time is wrong. */
const cursor = (position: Record<string, string>) => Buffer.from(JSON.stringify(position)).toString('base64url');

describe.each(sqlBackends())('far-off times on %s', (backend) => {
  let finch: TestFinch;
  let admin: Agent;
  let asAdmin: AgentClient;
  let conversationId: string;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    admin = await makeAgent(finch, 'Ada Admin', 'admin');
    asAdmin = await AgentClient.signIn(finch.baseUrl, admin.email, PASSWORD);
    conversationId = (await finConversation(finch)).id;
  });
  afterAll(() => finch?.close());

  it.each(FAR)('refuses a cursor at %s in every paged list (400 invalid_cursor)', async (at) => {
    for (const path of [
      `/conversations?queue=all&cursor=${cursor({ of: 'queue:all:default', at, id: conversationId })}`,
      `/conversations/${conversationId}/messages?before=${cursor({ of: `thread:${conversationId}`, created_at: at, id: 'msg_x' })}`,
      `/conversations/${conversationId}/activity?cursor=${cursor({ of: `activity:${conversationId}`, at, id: 'act_x' })}`,
      `/deliveries?cursor=${cursor({ of: 'deliveries', created_at: at, id: 'whd_x' })}`,
    ]) {
      const response = await asAdmin.get(path);
      expect(response.status, path).toBe(400);
      expect(response.body, path).toMatchObject({ code: 'invalid_cursor' });
    }
  });

  it('takes any time a column holds in a replay range, 1900 included', async () => {
    const response = await asAdmin.post('/deliveries/replay', { from: '1900-01-01T00:00:00Z', to: '9999-12-31T23:59:59Z' });
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    expect(response.body).toEqual({ replayed: 0 });
  });

  it.each([...FAR.map((at) => [at, '2026-01-01T00:00:00Z']), ['2026-01-01T00:00:00Z', '9999-12-31T23:59:60Z']])(
    'refuses a replay range from %s to %s as the caller’s, not with a 500',
    async (from, to) => {
      const response = await asAdmin.post('/deliveries/replay', { from, to });
      expect([400, 422], JSON.stringify(response.body)).toContain(response.status);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    },
  );
});
