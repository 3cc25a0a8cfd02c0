/**
 * The dispatcher's loop under a stream of changes, against a real HTTP receiver on loopback: the
 * first change after a quiet spell is claimed at once; later ones gather until `gatherMs` after the
 * previous claim and go out in one claim, their deliveries settled together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/cli/dispatching.js';
import { systemClock } from '../../src/outbox/clock.js';
import type { Delivered, OutboxStore } from '../../src/store/outbox-port.js';
import { AgentClient } from '../support/agent-client.js';
import { FinReceiver } from '../support/fin-receiver.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

const GATHER_MS = 2500;

describe.each(sqlBackends())('claiming under a stream of changes on %s', (backend) => {
  let receiver: FinReceiver;
  let finch: TestFinch;
  let asAdmin: AgentClient;

  beforeAll(async () => {
    receiver = await new FinReceiver().start();
    finch = await startTestFinch(backend);
    const admin = await makeAgent(finch, 'Ada', 'admin');
    asAdmin = await AgentClient.signIn(finch.baseUrl, admin.email, PASSWORD);
    const settings = await asAdmin.put('/settings/fin', { integration_id: 'int_gather', webhook_key: 'whk_gather', base_url: receiver.baseUrl });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
  });
  afterAll(async () => {
    await finch?.close();
    await receiver?.stop();
  });

  it('claims at once after a quiet spell, then at most once per gatherMs, each claim taking what gathered', async () => {
    const outbox = finch.finch!.outbox;
    // The real store, watched: how many events each claim that found some took, and each settlement's size.
    const claims: number[] = [];
    const settlements: number[] = [];
    const watched = Object.assign(Object.create(outbox) as typeof outbox, {
      claimDue: async (...args: Parameters<OutboxStore['claimDue']>) => {
        const events = await outbox.claimDue(...args);
        if (events.length > 0) claims.push(events.length);
        return events;
      },
      settleDelivered: (deliveries: readonly Delivered[]) => {
        settlements.push(deliveries.length);
        return outbox.settleDelivered(deliveries);
      },
    });
    const dispatcher = createDispatcher(
      { ...finch.finch!, outbox: watched },
      { fin: {} },
      { logger: { info: () => {}, warn: () => {}, error: () => {} }, clock: systemClock, pollMs: 60_000, gatherMs: GATHER_MS },
    );
    dispatcher.start();
    try {
      const note = async () => {
        const { id } = await finConversation(finch);
        expect((await asAdmin.post(`/conversations/${id}/messages`, { body: 'note', visibility: 'private' })).status).toBe(201);
        dispatcher.wake();
        return id;
      };
      // The dispatcher claimed (nothing) as it started; once gatherMs has passed, it is quiet.
      await new Promise((resolve) => setTimeout(resolve, GATHER_MS + 200));
      const first = await note();
      const woken = Date.now();
      await receiver.waitFor(1);
      expect(receiver.received[0]!.body).toEqual({ conversation_id: first });
      // Not held back after the quiet spell: held, it would have waited most of gatherMs.
      expect(receiver.received[0]!.at - woken).toBeLessThan(GATHER_MS / 2);

      const gathered = [await note(), await note(), await note()];
      await receiver.waitFor(4);
      expect(receiver.received.slice(1).map((hook) => hook.body.conversation_id)).toEqual(expect.arrayContaining(gathered));
      // Held until gatherMs after the first claim (less the time that claim's POST took).
      expect(Math.min(...receiver.received.slice(1).map((hook) => hook.at)) - receiver.received[0]!.at).toBeGreaterThanOrEqual(GATHER_MS - 500);
      expect(claims).toEqual([1, 3]);
      // How the three settle together depends on how fast the receiver answers (settlement-group.test.ts has the rule).
      await expect.poll(() => settlements.reduce((sum, size) => sum + size, 0)).toBe(4);
      expect(settlements[0]).toBe(1);
      const outcomes = await asAdmin.get('/deliveries');
      expect((outcomes.body.deliveries as { outcome: string }[]).map((delivery) => delivery.outcome)).toEqual(Array(4).fill('delivered'));
    } finally {
      await dispatcher.stop();
    }
  });
});
