/**
 * Which commits wake this process's notification sender (`NotificationOutbox.onQueued`): those that
 * queued notifications, once they commit; never a change that queued none (tags, a sync event for
 * Fin), a rolled-back one, or a notification already queued (the same event, channel and
 * recipient). Through the real stores on both databases; and the process's sender, whose clock
 * never moves (so it never polls), sending what a commit queued.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { notificationBackground } from '../../src/cli/notification-background.js';
import { loadConfig } from '../../src/config.js';
import { CHAT_RECIPIENT } from '../../src/domain/notifications/chat-webhook.js';
import { openFinch } from '../../src/finch.js';
import type { NewNotification } from '../../src/store/notification-port.js';
import { SqlNotificationStore } from '../../src/store/sql/sql-notification-store.js';
import { at, openTestData, type TestData } from '../outbox/support.js';
import { FakeClock } from '../support/fake-clock.js';
import { sqlBackends } from '../support/finch.js';
import { createDatabase } from '../support/postgres-server.js';

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

describe.each(sqlBackends())('the sender in a process (%s)', (backend) => {
  it('takes up what a commit queued at once, with no poll to find it', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-notify-wake-'));
    const databaseUrl = backend === 'postgres' ? await createDatabase(inject('postgresUrl')!) : undefined;
    const config = loadConfig({ FINCH_DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
    const finch = await openFinch(config);
    const quiet = () => undefined;
    // Time stands still: the sender's polls and due times never come, only a wake ends its wait.
    const clock = new FakeClock();
    const background = notificationBackground({ finch, config, logger: { info: quiet, warn: quiet, error: quiet }, clock });
    try {
      background.start();
      const now = clock.now().toISOString();
      await finch.store.transaction((tx) =>
        tx.notifications.enqueue([
          {
            channel: 'chat',
            event: 'waiting',
            eventKey: 'w1',
            conversationId: null,
            agentId: null,
            recipient: CHAT_RECIPIENT,
            payload: {},
            availableAt: now,
            at: now,
          },
        ]),
      );
      // With no chat webhook set the sender drops the post: that it judged the row at all is the wake.
      const status = () => finch.database.db.selectFrom('notifications').select('status').executeTakeFirstOrThrow();
      await expect.poll(async () => (await status()).status, { timeout: 5000 }).toBe('dropped');
    } finally {
      await background.stop();
      await finch.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
