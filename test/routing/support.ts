/**
 * Finch with its router for routing tests: the test server (real HTTP) and, beside it, the router
 * the server process would run (woken where the server would wake it, by the change feed and by
 * its poll). Presence is written as an open inbox writes it (an `agent_connections` row, the
 * agent's chosen presence), so routing is tested against the table's meaning whatever opens it.
 */
import { expect } from 'vitest';
import { createRouter } from '../../src/cli/routing-background.js';
import { newId } from '../../src/domain/ids.js';
import type { Agent } from '../../src/domain/model.js';
import { systemClock, type Clock } from '../../src/outbox/clock.js';
import type { Router } from '../../src/routing/router.js';
import { AgentClient } from '../support/agent-client.js';
import { startTestFinch, type Backend, type TestFinch, type TestFinchOptions } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

export interface RoutedFinch {
  finch: TestFinch;
  router: Router;
  admin: Agent;
  asAdmin: AgentClient;
  close(): Promise<void>;
}

const quiet = { info: () => undefined, warn: () => undefined, error: (details: object) => console.error('router', details) };

export function testClock(finch: TestFinch): Clock {
  return { now: finch.clock.now, sleep: systemClock.sleep, setTimer: systemClock.setTimer };
}

export async function startRoutedFinch(backend: Backend, options: TestFinchOptions & { pollMs?: number } = {}): Promise<RoutedFinch> {
  let router: Router | undefined;
  const finch = await startTestFinch(backend, {
    fin: { integrationId: 'int_1', webhookKey: 'key', baseUrl: 'http://127.0.0.1:1' },
    ...options,
    routingNeeded: () => router?.wake(),
  });
  router = createRouter(finch.finch!, { clock: testClock(finch), logger: quiet, pollMs: options.pollMs ?? 500 });
  router.start();
  const admin = await makeAgent(finch, `Ada ${Math.random().toString(36).slice(2, 6)}`, 'admin');
  const asAdmin = await AgentClient.signIn(finch.baseUrl, admin.email, PASSWORD);
  return {
    finch,
    router,
    admin,
    asAdmin,
    close: async () => {
      await router?.stop();
      await finch.close();
    },
  };
}

/** An inbox of the agent is open (a live connection row) with `presence` chosen; the router hears of it as from the agent API. */
export async function connect(routed: RoutedFinch, agentId: string, presence: 'online' | 'away' = 'online'): Promise<void> {
  const { finch } = routed;
  const now = finch.clock.now();
  await finch.database!.db.updateTable('agents').set({ presence }).where('id', '=', agentId).execute();
  await finch
    .database!.db.insertInto('agent_connections')
    .values({
      id: newId('conn'),
      agent_id: agentId,
      node: 'test',
      opened_at: now.toISOString(),
      seen_at: now.toISOString(),
      // An open inbox renews its row; an hour stands for that, also across the clock moves of a test.
      expires_at: new Date(now.getTime() + 3_600_000).toISOString(),
    })
    .execute();
  routed.router.wake();
}

/** The agent chooses `presence` (their inbox stays open). */
export async function choose(routed: RoutedFinch, agentId: string, presence: 'online' | 'away'): Promise<void> {
  await routed.finch.database!.db.updateTable('agents').set({ presence }).where('id', '=', agentId).execute();
  routed.router.wake();
}

/** Every inbox of the agent closed. */
export async function disconnect(routed: RoutedFinch, agentId: string): Promise<void> {
  await routed.finch.database!.db.deleteFrom('agent_connections').where('agent_id', '=', agentId).execute();
  routed.router.wake();
}

/** A conversation Fin started and then handed over (`assignee_id: null`), as in production. */
export async function handOver(finch: TestFinch, title = 'Help please'): Promise<string> {
  const { id } = await finConversation(finch, title);
  const handed = await finch.client('rest').call('update_conversation', { conversation_id: id, assignee_id: null });
  if (handed.status !== 200) throw new Error(`hand-over: ${handed.status}`);
  return id;
}

export async function agentWithSession(routed: RoutedFinch, name: string): Promise<{ agent: Agent; client: AgentClient }> {
  const agent = await makeAgent(routed.finch, `${name} ${Math.random().toString(36).slice(2, 6)}`);
  return { agent, client: await AgentClient.signIn(routed.finch.baseUrl, agent.email, PASSWORD) };
}

/** The conversation's assignee id (null: nobody), over the agent API. */
export async function assigneeOf(routed: RoutedFinch, conversationId: string): Promise<string | null> {
  const response = await routed.asAdmin.get(`/conversations/${conversationId}`);
  expect(response.status).toBe(200);
  return response.body.conversation.assignee?.id ?? null;
}

/** Waits until `check` passes (it throws until then), up to `ms`. */
export async function eventually<T>(check: () => Promise<T>, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** The `assigned` activity events of conversations, oldest first. */
export async function assignedEvents(finch: TestFinch, conversationIds?: string[]) {
  let query = finch.database!.db.selectFrom('conversation_activity').selectAll().where('kind', '=', 'assigned');
  if (conversationIds) query = query.where('conversation_id', 'in', conversationIds);
  const rows = await query.orderBy('id').execute();
  return rows.map((row) => ({
    conversationId: row.conversation_id,
    actor: row.actor_type,
    ...(typeof row.details === 'string' ? JSON.parse(row.details) : row.details),
  })) as { conversationId: string; actor: string; assigneeId: string; previousAssigneeId: string | null; how: string }[];
}

export async function setRouting(routed: RoutedFinch, settings: { mode: string; capacity: number; reassign_when_away: boolean }): Promise<void> {
  const response = await routed.asAdmin.put('/settings/routing', settings);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}
