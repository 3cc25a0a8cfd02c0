/**
 * Threads of any length through the agent API: GET /conversations/{id} gives the newest messages
 * and `messages_cursor`; GET /conversations/{id}/messages?before= pages back to the first one,
 * with every message exactly once and in order, also where messages share a time (ties broken by
 * id) and while new ones arrive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/domain/model.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

interface Page {
  messages: { id: string; body: string | null; created_at: string }[];
  messages_cursor: string | null;
}

describe.each(sqlBackends())('a thread page by page on %s', (backend) => {
  let finch: TestFinch;
  let hana: Agent;
  let asHana: AgentClient;
  let conversationId: string;
  /** Every message of the conversation, in thread order. */
  let thread: string[];

  /** Adds `count` notes by Hana; `sameTime` of them in a row share one created_at. */
  const addNotes = async (count: number, sameTime: number) => {
    const ids: string[] = [];
    await finch.store.transaction(async (tx) => {
      for (let index = 0; index < count; index++) {
        if (index % sameTime === 0) finch.clock.advance(1000);
        const inserted = await tx.insertMessage({
          objectId: null,
          conversationId,
          body: `<p>note ${thread.length + ids.length}</p>`,
          author: { type: 'agent', id: hana.id },
          visibility: 'private',
          attachments: [],
          createdAt: finch.clock.now().toISOString(),
        });
        ids.push(inserted.value.id);
      }
    });
    return ids;
  };

  /** Reads the whole thread back from its newest page, `limit` at a time. */
  const readBack = async (limit?: number) => {
    const first = await asHana.get(`/conversations/${conversationId}${limit ? `?limit=${limit}` : ''}`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const pages: Page[] = [first.body];
    while (pages.at(-1)!.messages_cursor) {
      const next = await asHana.get(
        `/conversations/${conversationId}/messages?before=${encodeURIComponent(pages.at(-1)!.messages_cursor!)}${limit ? `&limit=${limit}` : ''}`,
      );
      expect(next.status, JSON.stringify(next.body)).toBe(200);
      pages.push(next.body);
    }
    return pages;
  };

  const byThreadOrder = (ids: string[], times: Map<string, string>) =>
    [...ids].sort((a, b) => (times.get(a)! < times.get(b)! ? -1 : times.get(a)! > times.get(b)! ? 1 : a < b ? -1 : a > b ? 1 : 0));

  beforeAll(async () => {
    finch = await startTestFinch(backend);
    hana = await makeAgent(finch, 'Hana');
    asHana = await AgentClient.signIn(finch.baseUrl, hana.email, PASSWORD);
    conversationId = (await finConversation(finch, 'A long one', 'first')).id;
    const opening = await asHana.get(`/conversations/${conversationId}`);
    thread = (opening.body as Page).messages.map((message) => message.id);
    // 130 notes, in runs of 7 that share one time: page edges fall inside a run.
    thread.push(...(await addNotes(130, 7)));
    // The thread's order is (created_at, id): within a run of one time, the ids' order.
    const times = new Map<string, string>();
    const all = await finch.store.listMessages(conversationId);
    for (const message of all!) times.set(message.id, message.createdAt);
    thread = byThreadOrder(thread, times);
    expect(all!.map((message) => message.id)).toEqual(thread);
  });
  afterAll(() => finch?.close());

  it('opens on the newest 50, oldest first, with a cursor for the rest', async () => {
    const response = await asHana.get(`/conversations/${conversationId}`);
    expect(response.status).toBe(200);
    const page = response.body as Page;
    expect(page.messages.map((message) => message.id)).toEqual(thread.slice(-50));
    expect(page.messages_cursor).toEqual(expect.any(String));
    expect(response.body.message_count).toBe(thread.length);
    expect(response.body.conversation.last_message.text).toBe('note 130');
  });

  it.each([undefined, 1, 7, 13, 50, 200])('pages back through every message exactly once, in order (limit %s)', async (limit) => {
    const pages = await readBack(limit);
    const read = pages.reverse().flatMap((page) => page.messages.map((message) => message.id));
    expect(read).toEqual(thread);
    for (const page of pages) expect(page.messages.length).toBeLessThanOrEqual(limit ?? 50);
    expect(pages.length).toBe(Math.ceil(thread.length / (limit ?? 50)));
  });

  it('gives the newest page at /messages without a cursor, and null once the first message is in the page', async () => {
    const newest = await asHana.get(`/conversations/${conversationId}/messages?limit=5`);
    expect(newest.status).toBe(200);
    expect(newest.body.messages.map((message: { id: string }) => message.id)).toEqual(thread.slice(-5));
    const whole = await asHana.get(`/conversations/${conversationId}?limit=200`);
    expect(whole.body.messages).toHaveLength(thread.length);
    expect(whole.body.messages_cursor).toBeNull();
  });

  it('keeps a cursor valid while new messages arrive: the older pages do not move', async () => {
    const first = (await asHana.get(`/conversations/${conversationId}?limit=20`)).body as Page;
    const older = thread.slice(0, -20);
    const added = await addNotes(3, 1);
    try {
      const next = await asHana.get(`/conversations/${conversationId}/messages?before=${encodeURIComponent(first.messages_cursor!)}&limit=20`);
      expect(next.body.messages.map((message: { id: string }) => message.id)).toEqual(older.slice(-20));
      const reopened = (await asHana.get(`/conversations/${conversationId}?limit=20`)).body as Page;
      expect(reopened.messages.map((message) => message.id)).toEqual([...thread.slice(-17), ...added]);
    } finally {
      thread.push(...added);
    }
  });

  it("refuses another conversation's cursor, and a queue's (400 invalid_cursor), rather than a page of the wrong messages", async () => {
    const cursor = ((await asHana.get(`/conversations/${conversationId}?limit=5`)).body as Page).messages_cursor!;
    expect((await asHana.get(`/conversations/${conversationId}/messages?before=${encodeURIComponent(cursor)}`)).status).toBe(200);
    const other = await finConversation(finch);
    const elsewhere = await asHana.get(`/conversations/${other.id}/messages?before=${encodeURIComponent(cursor)}`);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body).toMatchObject({ code: 'invalid_cursor', errors: [{ pointer: '/before' }] });
    const queue = await asHana.get('/conversations?queue=all&limit=1');
    expect(queue.body.next_cursor).toEqual(expect.any(String));
    const fromQueue = await asHana.get(`/conversations/${conversationId}/messages?before=${encodeURIComponent(queue.body.next_cursor)}`);
    expect(fromQueue.status).toBe(400);
    expect(fromQueue.body).toMatchObject({ code: 'invalid_cursor' });
    // And the other way round: a thread's cursor is not a queue's.
    expect((await asHana.get(`/conversations?queue=all&cursor=${encodeURIComponent(cursor)}`)).status).toBe(400);
  });

  it('refuses what is not a page (400) and a conversation that does not exist (404), as problems', async () => {
    for (const path of [
      `/conversations/${conversationId}/messages?before=not-a-cursor`,
      // This thread's name, another list's keys.
      `/conversations/${conversationId}/messages?before=${Buffer.from(`{"of":"thread:${conversationId}","at":"2026-01-01T00:00:00.000Z","id":"x"}`).toString('base64url')}`,
      `/conversations/${conversationId}/messages?limit=0`,
      `/conversations/${conversationId}/messages?limit=201`,
      `/conversations/${conversationId}/messages?limit=ten`,
      `/conversations/${conversationId}?limit=0`,
      `/conversations/${conversationId}?limit=201`,
      // Numbers only in decimal digits: Ajv alone would read these as 16, 10, 10, 10.
      `/conversations/${conversationId}/messages?limit=0x10`,
      `/conversations/${conversationId}/messages?limit=1e1`,
      `/conversations/${conversationId}?limit=%2B10`,
      `/conversations/${conversationId}?limit=10.0`,
      `/conversations?limit=0x10`,
      `/conversations/${conversationId}/activity?limit=%2010`,
    ]) {
      const response = await asHana.get(path);
      expect(response.status, path).toBe(400);
      expect(response.headers.get('content-type'), path).toMatch(/^application\/problem\+json/);
    }
    const hex = await asHana.get(`/conversations/${conversationId}/messages?limit=0x10`);
    expect(hex.body).toMatchObject({ code: 'validation_failed', errors: [{ pointer: '/limit', detail: 'limit must be a whole number in decimal digits' }] });
    const forged = await asHana.get(`/conversations/${conversationId}/messages?before=not-a-cursor`);
    expect(forged.body).toMatchObject({ code: 'invalid_cursor', errors: [{ pointer: '/before' }] });
    for (const path of ['/conversations/conv_missing/messages', '/conversations/conv_missing?limit=5']) {
      const response = await asHana.get(path);
      expect(response.status, path).toBe(404);
      expect(response.body).toMatchObject({ code: 'conversation_not_found' });
    }
  });

  it('checks a reply against what came after the message the agent saw, without the whole thread', async () => {
    const carl = await makeAgent(finch, 'Carl');
    const asCarl = await AgentClient.signIn(finch.baseUrl, carl.email, PASSWORD);
    const seen = thread.at(-1)!;
    const early = thread[3]!;
    expect((await asCarl.post(`/conversations/${conversationId}/messages`, { body: 'Carl here', visibility: 'public' })).status).toBe(201);
    const refused = await asHana.post(`/conversations/${conversationId}/messages`, { body: 'Hana here', visibility: 'public', last_seen_message_id: seen });
    expect(refused.status).toBe(409);
    expect(refused.body.messages.map((message: { body: string }) => message.body)).toEqual(['Carl here']);
    // An early message: everything after it counts, Carl's reply among it.
    const fromEarly = await asHana.post(`/conversations/${conversationId}/messages`, { body: 'Hana here', visibility: 'public', last_seen_message_id: early });
    expect(fromEarly.status).toBe(409);
    expect(fromEarly.body.messages).toHaveLength(thread.length - 4 + 1);
    // More since than a page holds: the newest 200 of them, oldest first.
    const added = await addNotes(90, 1);
    thread.push(...added);
    const fromFirst = await asHana.post(`/conversations/${conversationId}/messages`, {
      body: 'Hana here',
      visibility: 'public',
      last_seen_message_id: thread[0],
    });
    expect(fromFirst.status).toBe(409);
    expect(fromFirst.body.messages).toHaveLength(200);
    expect(fromFirst.body.messages.at(-1).id).toBe(added.at(-1));
    const unknown = await asHana.post(`/conversations/${conversationId}/messages`, { body: 'Hana here', last_seen_message_id: 'msg_nope' });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ code: 'message_not_found' });
  });
});
