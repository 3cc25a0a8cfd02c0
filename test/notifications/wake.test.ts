/**
 * Which commits wake this process's notification sender (`NotificationOutbox.onQueued`): those that
 * queued notifications, once they commit; never a change that queued none (tags, a sync event for
 * Fin), a rolled-back one, or a notification already queued (the same event, channel and
 * recipient). Through the real stores on both databases.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewNotification } from '../../src/store/notification-port.js';
import { SqlNotificationStore } from '../../src/store/sql/sql-notification-store.js';
import { at, openTestData, type TestData } from '../outbox/support.js';
import { sqlBackends } from '../support/finch.js';

describe.each(sqlBackends())('notification wakes on %s', (backend) => {
  let data: TestData;
  let outbox: SqlNotificationStore;
  let woken: number;
  let stopWaking: () => void;

  beforeEach(async () => {
    data = await openTestData(backend);
    outbox = new SqlNotificationStore(data.database);
    woken = 0;
    stopWaking = outbox.onQueued(() => woken++);
  });
  afterEach(async () => {
    stopWaking();
    await data.close();
  });

  const notification = (eventKey: string): NewNotification => ({
    channel: 'email',
    event: 'assigned',
    eventKey,
    conversationId: null,
    agentId: null,
    recipient: 'ana@example.com',
    payload: {},
    availableAt: at(0),
    at: at(0),
  });

  it('wakes once a transaction that queued notifications commits, not before', async () => {
    await data.store.transaction(async (tx) => {
      await tx.notifications.enqueue([notification('e1'), notification('e2')]);
      expect(woken).toBe(0);
    });
    expect(woken).toBe(1);
  });

  it('does not wake for a change that queued none, a rollback, or a notification already queued', async () => {
    await data.store.transaction(async (tx) => tx.notifications.enqueue([notification('e1')]));
    expect(woken).toBe(1);

    const conversation = await data.conversation();
    await data.store.transaction(async (tx) => {
      await tx.updateConversation(conversation, { tags: ['billing'] }, at(1));
      await tx.enqueueSync(conversation, at(1));
    });
    await expect(
      data.store.transaction(async (tx) => {
        await tx.notifications.enqueue([notification('e3')]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    // The same event, channel and recipient again: nothing is queued.
    await data.store.transaction(async (tx) => tx.notifications.enqueue([notification('e1')]));
    await outbox.enqueue([notification('e1')]);
    expect(woken).toBe(1);
  });

  it('wakes at once for notifications queued outside a transaction, and no longer once stopped', async () => {
    await outbox.enqueue([notification('e1')]);
    expect(woken).toBe(1);
    stopWaking();
    await outbox.enqueue([notification('e2')]);
    expect(woken).toBe(1);
  });

  it('refuses a listener inside a transaction, whose commit the database tells', async () => {
    await data.store.transaction(async (tx) => {
      expect(() => (tx.notifications as SqlNotificationStore).onQueued(() => undefined)).toThrow(/on the database/);
    });
  });
});
