/**
 * Which changes wake routers (the store's `subscribeToRoutingChanges`): a conversation created, or
 * its status or assignee written, by this process or (PostgreSQL) another; never a note, tags, a
 * title or an attribute, which the inbox still hears of. Through the real conversation writes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlFinStore } from '../../src/store/sql/sql-fin-store.js';
import { at, openTestData, type TestData } from '../outbox/support.js';
import { sqlBackends } from '../support/finch.js';

describe.each(sqlBackends())('routing changes on %s', (backend) => {
  let data: TestData;
  let writer: SqlFinStore;
  let routable: number;
  let missed: number;
  let inbox: string[];
  const stops: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    data = await openTestData(backend);
    // On PostgreSQL the writes come from another pool, as from another process; SQLite has one.
    writer = backend === 'postgres' ? new SqlFinStore(data.another()) : data.store;
    routable = 0;
    missed = 0;
    inbox = [];
    stops.push(
      await data.store.subscribeToRoutingChanges(
        () => routable++,
        () => missed++,
      ),
      await data.store.subscribeToChanges((ids) => inbox.push(...ids)),
    );
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await data.close();
  });

  /** Waits until the inbox heard of `count` changes in all, so that routers would have heard of theirs too. */
  const heardByInbox = (count: number) => expect.poll(() => inbox.length, { timeout: 5000 }).toBe(count);

  it('wakes routers for a conversation created, a status or an assignee written, and for nothing else', async () => {
    const conversation = await writer.transaction(async (tx) => {
      const user = await tx.insertUser({ objectId: null, name: 'Ada', email: null, photoUrl: null, attributes: {}, at: at(0) });
      const created = await tx.insertConversation({
        objectId: null,
        userId: user.value.id,
        assigneeId: data.fin.id,
        status: 'open',
        title: null,
        tags: [],
        attributes: {},
        at: at(0),
      });
      return created.value.id;
    });
    await heardByInbox(1);
    await expect.poll(() => routable, { timeout: 5000 }).toBe(1);

    // A note, tags, a title and attributes: the inbox hears of each, routers of none.
    await writer.transaction((tx) =>
      tx.insertMessage({
        objectId: null,
        conversationId: conversation,
        body: '<p>a note</p>',
        author: { type: 'agent', id: data.fin.id },
        visibility: 'private',
        attachments: [],
        createdAt: at(1),
      }),
    );
    await writer.transaction((tx) => tx.updateConversation(conversation, { tags: ['billing'] }, at(2)));
    await writer.transaction((tx) => tx.updateConversation(conversation, { title: 'Refund', attributes: { plan: 'pro' } }, at(3)));
    // Outside a transaction too: each write announced on its own.
    await writer.updateConversation(conversation, { tags: ['billing', 'vip'] }, at(4));
    await heardByInbox(5);

    // Fin hands over (assignee), then the conversation is resolved (status): one wake each.
    await writer.transaction((tx) => tx.updateConversation(conversation, { assigneeId: null, handoverReason: 'asked for a person' }, at(5)));
    await heardByInbox(6);
    await expect.poll(() => routable, { timeout: 5000 }).toBe(2);
    await writer.updateConversation(conversation, { status: 'resolved' }, at(6));
    await heardByInbox(7);
    await expect.poll(() => routable, { timeout: 5000 }).toBe(3);
    expect(missed).toBe(0);
  });
});
