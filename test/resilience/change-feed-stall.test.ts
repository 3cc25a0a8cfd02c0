/**
 * The change feed's LISTEN connection when PostgreSQL stops answering (a stalled network: sockets
 * open, nothing forwarded): a LISTEN left unanswered fails within the feed's timeout instead of
 * holding up its caller for good, the connection is given up, and the feed listens again on a new
 * one once the network flows.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DatabaseUnavailableError } from '../../src/store/port.js';
import { ChangeFeed } from '../../src/store/sql/change-feed.js';
import { createDatabase } from '../support/postgres-server.js';
import { TcpProxy } from './tcp-proxy.js';

describe.skipIf(!inject('postgresUrl'))('the change feed when PostgreSQL stops answering', () => {
  let proxy: TcpProxy;
  let viaProxy: string;
  beforeAll(async () => {
    const target = new URL(await createDatabase(inject('postgresUrl')!, 'finch_feed_stall'));
    proxy = await new TcpProxy(target.hostname, Number(target.port)).start();
    target.port = String(proxy.port);
    viaProxy = target.toString();
  });
  afterAll(() => proxy?.stop());

  it('fails an unanswered LISTEN within its timeout, gives the connection up and listens again once it flows', { timeout: 40_000 }, async () => {
    const feed = new ChangeFeed({ postgresUrl: viaProxy });
    try {
      let missed = 0;
      await feed.subscribe(
        () => undefined,
        () => missed++,
      );
      proxy.stall();
      const troubles: Error[] = [];
      const startedAt = Date.now();
      // Listening on a second channel asks the stalled connection.
      await feed.wakeOnOutboxWrites(
        () => undefined,
        (error) => troubles.push(error),
      );
      const ms = Date.now() - startedAt;
      expect(ms).toBeLessThan(13_000);
      expect(troubles[0]).toBeInstanceOf(DatabaseUnavailableError);
      process.stdout.write(`LISTEN on a stalled connection failed after ${ms} ms\n`);
      proxy.flow();
      const deadline = Date.now() + 15_000;
      while (missed === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      // Back on a new connection: subscribers hear that they may have missed changes.
      expect(missed).toBeGreaterThan(0);
    } finally {
      proxy.flow();
      await feed.close();
    }
  });
});
