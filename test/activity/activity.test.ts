/**
 * A conversation's activity over real HTTP: each event from each source recorded once, with its
 * time, actor and conversation (Fin's requests, agents' changes, the customer's return, the
 * fail-safe); nothing for changes that change nothing; served oldest first, a page at a time, at
 * GET /api/v1/conversations/{id}/activity (503 while its database cannot be reached); written
 * with the change or not at all; append-only. On the memory store (the Fin API alone) nothing is
 * recorded and nothing fails.
 */
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentActor } from '../../src/domain/activity/activity.js';
import { activityBetween } from '../../src/domain/activity/activity-between.js';
import { recordActivity } from '../../src/domain/activity/record-activity.js';
import { assign } from '../../src/domain/conversation-changes.js';
import { changeConversation } from '../../src/domain/helpdesk/conversations/change-conversation.js';
import type { Agent } from '../../src/domain/model.js';
import { FailSafeJob } from '../../src/jobs/fail-safe.js';
import { openDatabase } from '../../src/store/sql/database.js';
import { SqlActivityStore } from '../../src/store/sql/sql-activity-store.js';
import { AgentClient } from '../support/agent-client.js';
import { backends, sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

type Line = { kind: string; actor: { type: string; id: string | null; name: string | null }; details: Record<string, unknown>; at: string; id: string };

describe.each(sqlBackends())('activity on %s', (backend) => {
  let finch: TestFinch;
  let hana: Agent;
  let ida: Agent;
  let asHana: AgentClient;
  let asIda: AgentClient;

  beforeAll(async () => {
    finch = await startTestFinch(backend, { fin: { integrationId: 'int_1', webhookKey: 'key', baseUrl: 'http://127.0.0.1:1' } });
    hana = await makeAgent(finch, 'Hana');
    ida = await makeAgent(finch, 'Ida');
    asHana = await AgentClient.signIn(finch.baseUrl, hana.email, PASSWORD);
    asIda = await AgentClient.signIn(finch.baseUrl, ida.email, PASSWORD);
  });
  afterAll(() => finch?.close());

  const fin = () => finch.client('rest');
  const activity = async (id: string, as: AgentClient = asIda): Promise<Line[]> => {
    const response = await as.get(`/conversations/${id}/activity`);
    expect(response.status).toBe(200);
    return response.body.activity;
  };
  /** The lines after the first `skip` (the conversation's creation), as kind, actor type and details. */
  const since = async (id: string, skip = 1) => (await activity(id)).slice(skip).map((line) => [line.kind, line.actor.type, line.details]);
  const step = () => finch.clock.advance(1000);
  const customerWrites = async (conversation: { id: string; user: { id: string } }) => {
    const response = await fin().call('create_message', {
      conversation_id: conversation.id,
      body: 'Me again',
      author: { id: conversation.user.id, user_type: 'end_user' },
    });
    expect(response.status).toBe(201);
    return (response.payload as { id: string }).id;
  };

  it("records Fin's new conversation as created, by Fin, at its time; a repeat records nothing", async () => {
    const before = finch.clock.now().toISOString();
    const conversation = await finConversation(finch);
    const lines = await activity(conversation.id);
    expect(lines).toEqual([
      { id: expect.stringMatching(/^act_/), at: expect.any(String), kind: 'created', actor: { type: 'fin', id: null, name: 'Fin' }, details: {} },
    ]);
    expect(lines[0]!.at >= before).toBe(true);

    const user = (await fin().call('create_user', { name: 'Repeat' })).payload as { id: string };
    const input = { object_id: 'obj-repeat', user_id: user.id, initial_message: { body: 'Hi', author: { id: user.id, user_type: 'end_user' } } };
    const first = (await fin().call('create_conversation', input)).payload as { conversation: { id: string } };
    expect((await fin().call('create_conversation', input)).status).toBeLessThan(300);
    expect((await activity(first.conversation.id)).map((line) => line.kind)).toEqual(['created']);
  });

  it("records nothing for Fin's routine end-of-sync update, nor for changes of title, tags or attributes", async () => {
    const conversation = await finConversation(finch, 'Routine');
    for (const update of [
      { conversation_id: conversation.id, status: 'open', title: 'Routine' },
      { conversation_id: conversation.id, title: 'Renamed', tags: ['a'], attributes: { plan: 'pro' } },
      { conversation_id: conversation.id, status: 'open' },
    ]) {
      expect((await fin().call('update_conversation', update)).status).toBe(200);
    }
    expect((await asHana.patch(`/conversations/${conversation.id}`, { title: 'By Hana', tags: ['b'] })).status).toBe(200);
    expect(await since(conversation.id)).toEqual([]);
  });

  it("records Fin's hand-over (reason null), status changes and assignment (how fin), by Fin", async () => {
    const conversation = await finConversation(finch);
    step();
    expect((await fin().call('update_conversation', { conversation_id: conversation.id, assignee_id: null })).status).toBe(200);
    // Repeated at the end of the next sync: nothing new.
    expect((await fin().call('update_conversation', { conversation_id: conversation.id, assignee_id: null })).status).toBe(200);
    expect(await since(conversation.id)).toEqual([['handed_over', 'fin', { reason: null }]]);
    expect((await asHana.get(`/conversations/${conversation.id}`)).body.conversation.handover_reason).toBeNull();

    const other = await finConversation(finch);
    for (const update of [{ status: 'resolved' }, { status: 'open' }, { assignee_id: ida.id }, { status: 'closed' }]) {
      expect((await fin().call('update_conversation', { conversation_id: other.id, ...update })).status).toBe(200);
    }
    // The last one changes nothing: a person holds it (human takeover wins).
    expect(await since(other.id)).toEqual([
      ['status_changed', 'fin', { from: 'open', to: 'resolved' }],
      ['status_changed', 'fin', { from: 'resolved', to: 'open' }],
      ['reopened', 'fin', { from: 'resolved' }],
      [
        'assigned',
        'fin',
        { assignee_id: ida.id, assignee_name: 'Ida', previous_assignee_id: expect.stringMatching(/^agent_/), previous_assignee_name: 'Fin', how: 'fin' },
      ],
    ]);
  });

  it("records agents' take-over, reassignment, status changes, hand-back and unassigning, by hand and by whom", async () => {
    const conversation = await finConversation(finch);
    const path = `/conversations/${conversation.id}`;
    expect((await asHana.post(`${path}/takeover`)).status).toBe(200);
    expect((await asHana.post(`${path}/takeover`)).status).toBe(200);
    expect((await asHana.patch(path, { assignee_id: ida.id })).status).toBe(200);
    expect((await asIda.patch(path, { status: 'resolved' })).status).toBe(200);
    expect((await asIda.patch(path, { status: 'open' })).status).toBe(200);
    expect((await asIda.post(`${path}/handback`)).status).toBe(200);
    expect((await asHana.patch(path, { assignee_id: null })).status).toBe(200);

    const lines = await activity(conversation.id);
    expect(lines.slice(1).map((line) => [line.kind, line.actor.name, line.details])).toEqual([
      [
        'assigned',
        'Hana',
        { assignee_id: hana.id, assignee_name: 'Hana', previous_assignee_id: expect.any(String), previous_assignee_name: 'Fin', how: 'manual' },
      ],
      ['assigned', 'Hana', { assignee_id: ida.id, assignee_name: 'Ida', previous_assignee_id: hana.id, previous_assignee_name: 'Hana', how: 'manual' }],
      ['status_changed', 'Ida', { from: 'open', to: 'resolved' }],
      ['status_changed', 'Ida', { from: 'resolved', to: 'open' }],
      ['reopened', 'Ida', { from: 'resolved' }],
      [
        'assigned',
        'Ida',
        { assignee_id: expect.any(String), assignee_name: 'Fin', previous_assignee_id: ida.id, previous_assignee_name: 'Ida', how: 'manual' },
      ],
      ['handed_over', 'Hana', { reason: 'agent_unassigned' }],
    ]);
    expect(lines.slice(1).every((line) => line.actor.type === 'agent')).toBe(true);
    // The inbox shows why it waits.
    expect((await asHana.get(path)).body.conversation).toMatchObject({ queue: 'waiting', handover_reason: 'agent_unassigned' });
    // Unassigning a finished conversation is no hand-over.
    expect((await asHana.patch(path, { assignee_id: hana.id, status: 'closed' })).status).toBe(200);
    expect((await asHana.patch(path, { assignee_id: null })).status).toBe(200);
    expect((await activity(conversation.id)).slice(-3).map((line) => [line.kind, line.details])).toEqual([
      ['status_changed', { from: 'open', to: 'closed' }],
      ['assigned', expect.objectContaining({ assignee_id: hana.id, previous_assignee_id: null, how: 'manual' })],
      ['unassigned', { previous_assignee_id: hana.id, previous_assignee_name: 'Hana' }],
    ]);
  });

  it("records the customer's return: to their agent (how return), to nobody (customer_returned), and replies while a person holds it", async () => {
    const toHana = await finConversation(finch);
    expect((await asHana.post(`/conversations/${toHana.id}/takeover`)).status).toBe(200);
    const first = await customerWrites(toHana);
    expect((await asHana.patch(`/conversations/${toHana.id}`, { status: 'resolved' })).status).toBe(200);
    step();
    const second = await customerWrites(toHana);
    expect(await since(toHana.id, 2)).toEqual([
      ['customer_replied', 'end_user', { message_id: first }],
      ['status_changed', 'agent', { from: 'open', to: 'resolved' }],
      ['status_changed', 'end_user', { from: 'resolved', to: 'open' }],
      ['reopened', 'end_user', { from: 'resolved' }],
      ['assigned', 'end_user', { assignee_id: hana.id, assignee_name: 'Hana', previous_assignee_id: hana.id, previous_assignee_name: 'Hana', how: 'return' }],
      ['customer_replied', 'end_user', { message_id: second }],
    ]);
    const customer = (await activity(toHana.id)).at(-1)!.actor;
    expect(customer).toEqual({ type: 'end_user', id: toHana.user.id, name: 'Eve End-User' });

    const toNobody = await finConversation(finch);
    expect((await asHana.patch(`/conversations/${toNobody.id}`, { assignee_id: null, status: 'closed' })).status).toBe(200);
    await customerWrites(toNobody);
    expect((await since(toNobody.id)).slice(2)).toEqual([
      ['status_changed', 'end_user', { from: 'closed', to: 'open' }],
      ['reopened', 'end_user', { from: 'closed' }],
      ['handed_over', 'end_user', { reason: 'customer_returned' }],
    ]);

    // With Fin, or waiting: the message is no event of the conversation's.
    const withFin = await finConversation(finch);
    await customerWrites(withFin);
    expect(await since(withFin.id)).toEqual([]);
    await customerWrites(toNobody);
    expect(await since(toNobody.id)).toHaveLength(5);
  });

  it('records the fail-safe’s hand-overs, by Finch, with fin_unreachable', async () => {
    const unreachableSince = finch.clock.now().toISOString();
    await finch.finch!.settings.updateDeliveryState((state) => ({ ...state, unreachableSince }), unreachableSince);
    // Changed since Fin went away: Fin cannot know of it.
    const conversation = await finConversation(finch);
    const job = new FailSafeJob({ ...finch.finch!, afterMs: 60_000, logger: { warn: () => undefined } });
    finch.clock.advance(61_000);
    const at = finch.clock.now();
    try {
      expect(await job.check(at)).toContain(conversation.id);
      expect(await job.check(finch.clock.now())).toEqual([]);
    } finally {
      await finch.finch!.settings.updateDeliveryState((state) => ({ ...state, unreachableSince: null }), finch.clock.now().toISOString());
    }
    const lines = await activity(conversation.id);
    expect(lines.slice(1)).toEqual([
      {
        id: expect.any(String),
        at: at.toISOString(),
        kind: 'handed_over',
        actor: { type: 'system', id: null, name: 'Finch' },
        details: { reason: 'fin_unreachable' },
      },
    ]);
  });

  it('serves it oldest first, a page at a time, to any signed-in agent; 404 and 400 as problems', async () => {
    const conversation = await finConversation(finch);
    const path = `/conversations/${conversation.id}`;
    for (let i = 0; i < 3; i++) {
      step();
      expect((await asHana.post(`${path}/takeover`)).status).toBe(200);
      expect((await asHana.post(`${path}/handback`)).status).toBe(200);
    }
    const all = await activity(conversation.id, asHana);
    expect(all).toHaveLength(7);
    expect([...all].sort((a, b) => (a.at === b.at ? a.id.localeCompare(b.id) : a.at.localeCompare(b.at)))).toEqual(all);
    const paged: Line[] = [];
    let cursor: string | null = null;
    do {
      const response: { status: number; body: { activity: Line[]; next_cursor: string | null } } = await asIda.get(
        `${path}/activity?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(response.status).toBe(200);
      expect(response.body.activity.length).toBeLessThanOrEqual(3);
      paged.push(...response.body.activity);
      cursor = response.body.next_cursor;
    } while (cursor);
    expect(paged).toEqual(all);

    const missing = await asIda.get('/conversations/conv_nope/activity');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.body).toMatchObject({ status: 404 });
    const badCursor = await asIda.get(`${path}/activity?cursor=nonsense`);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body).toMatchObject({ code: 'invalid_cursor' });
    // A cursor Finch did not give out, however well formed its JSON: refused, never an empty page.
    const forge = (position: object, list = `activity:${conversation.id}`) => Buffer.from(JSON.stringify({ of: list, ...position })).toString('base64url');
    const other = await finConversation(finch);
    for (const [position, list] of [
      [{ at: all[0]!.at, id: all[0]!.id }, `activity:${other.id}`],
      [{ at: all[0]!.at, id: all[0]!.id }, 'queue:all:default'],
      [{ at: all[0]!.at, id: all[0]!.id }, undefined],
    ] as const) {
      // Another conversation's cursor, another list's with the same keys, an older Finch's without a list.
      const sent = list === undefined ? Buffer.from(JSON.stringify(position)).toString('base64url') : forge(position, list);
      const refused = await asIda.get(`${path}/activity?cursor=${sent}`);
      expect(refused.status, String(list)).toBe(400);
      expect(refused.body).toMatchObject({ code: 'invalid_cursor', errors: [{ pointer: '/cursor' }] });
    }
    for (const position of [
      { at: 'garbage', id: 'x' },
      { at: '9999-99-99T99:99:99Z', id: 'x' },
      { at: all[0]!.at.replace(/\.\d{3}Z$/, 'Z'), id: all[0]!.id },
      { at: all[0]!.at, id: 7 },
      { at: all[0]!.at, id: all[0]!.id, due: '1' },
    ]) {
      const forged = await asIda.get(`${path}/activity?cursor=${forge(position)}`);
      expect(forged.status, JSON.stringify(position)).toBe(400);
      expect(forged.body).toMatchObject({ code: 'invalid_cursor', errors: [{ pointer: '/cursor' }] });
    }
    expect((await asIda.get(`${path}/activity?cursor=${forge({ at: all[0]!.at, id: all[0]!.id })}`)).status).toBe(200);
    expect((await asIda.get(`${path}/activity?limit=0`)).status).toBe(400);
    expect((await fetch(`${finch.baseUrl}/api/v1${path}/activity`)).status).toBe(401);
  });

  it("records a change's own events after the ones its before and after say", async () => {
    const conversation = await finConversation(finch);
    await changeConversation(finch.helpdesk!, conversation.id, (current) => assign({}, current, hana.id), {
      actor: agentActor(hana.id),
      activity: (updated, at) => [
        { conversationId: updated.id, at, kind: 'first_human_reply', actor: agentActor(hana.id), details: { agentId: hana.id, messageId: 'msg_1' } },
      ],
    });
    expect((await activity(conversation.id)).slice(1).map((line) => [line.kind, line.actor.name])).toEqual([
      ['assigned', 'Hana'],
      ['first_human_reply', 'Hana'],
    ]);
  });

  it('is written with its change or not at all', async () => {
    const conversation = await finConversation(finch);
    const at = finch.clock.now().toISOString();
    // The record cannot be written (an actor the table refuses): the change is not kept either.
    const refused = changeConversation(finch.helpdesk!, conversation.id, (current) => assign({}, current, hana.id), {
      actor: { type: 'robot' as 'agent', id: null },
    });
    await expect(refused).rejects.toThrow();
    // The change fails after its record was appended: the record goes with it.
    const failed = finch.finch!.store.transaction(async (tx) => {
      const current = (await tx.lockConversation(conversation.id))!;
      const updated = await tx.updateConversation(conversation.id, { assigneeId: hana.id }, at);
      await recordActivity(tx, activityBetween(current, updated, { at, actor: agentActor(hana.id), how: 'manual' }));
      throw new Error('a later step failed');
    });
    await expect(failed).rejects.toThrow('a later step failed');
    expect((await asHana.get(`/conversations/${conversation.id}`)).body.conversation.assignee).toMatchObject({ is_fin: true });
    expect(await since(conversation.id)).toEqual([]);
  });

  it('answers 503 with Retry-After and a problem while its database cannot be reached', async () => {
    const conversation = await finConversation(finch);
    const helpdesk = finch.helpdesk!;
    const healthy = helpdesk.activity;
    // The same store over a database nobody listens for (a refused connection).
    const unreachable = openDatabase({ url: 'postgresql://finch@127.0.0.1:9/finch', dataDir: os.tmpdir(), poolSize: 1 });
    helpdesk.activity = new SqlActivityStore(unreachable);
    try {
      const refused = await asIda.get(`/conversations/${conversation.id}/activity`);
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ status: 503, code: 'database_unavailable' });
    } finally {
      helpdesk.activity = healthy;
      await unreachable.close();
    }
    expect((await asIda.get(`/conversations/${conversation.id}/activity`)).status).toBe(200);
  });

  it('is append-only: no route and no store method changes or removes an entry', async () => {
    const conversation = await finConversation(finch);
    const [line] = await activity(conversation.id);
    for (const method of ['put', 'patch', 'delete'] as const) {
      const response = await asHana[method](`/conversations/${conversation.id}/activity`);
      expect(response.status, method).toBe(404);
      expect((await asHana[method](`/conversations/${conversation.id}/activity/${line!.id}`)).status, method).toBe(404);
    }
    const store = finch.finch!.activity;
    const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(store)).filter((name) => name !== 'constructor');
    expect(methods.sort()).toEqual(['append', 'listActivity', 'scanActivity']);
    expect(await activity(conversation.id)).toEqual([line]);
  });
});

describe.each(backends().filter((backend) => backend === 'memory'))('activity on the %s store (the Fin API alone)', (backend) => {
  let finch: TestFinch;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
  });
  afterAll(() => finch?.close());

  it('records nothing and fails nothing', async () => {
    const fin = finch.client('rest');
    const conversation = await finConversation(finch);
    expect(finch.helpdesk).toBeUndefined();
    for (const update of [{ assignee_id: null }, { status: 'resolved' }]) {
      expect((await fin.call('update_conversation', { conversation_id: conversation.id, ...update })).status).toBe(200);
    }
    const message = await fin.call('create_message', {
      conversation_id: conversation.id,
      body: 'Back',
      author: { id: conversation.user.id, user_type: 'end_user' },
    });
    expect(message.status).toBe(201);
    expect((await fin.call('get_conversation', { conversation_id: conversation.id })).payload).toMatchObject({ status: 'open', assignee: null });
  });
});
