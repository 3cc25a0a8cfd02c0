/**
 * Fin's base URL cannot lead Finch into a private network, on every database: the agent API refuses
 * a private, loopback or link-local IP literal when the settings are saved (422), and the
 * dispatcher refuses such an address when it connects (a host name that resolves to one, or a
 * literal stored before the rule): the attempt is a failure in the delivery log that says why,
 * with nothing from the target, and no connection is made. FINCH_FIN_ALLOWED_NETWORKS lets an
 * on-premises network through. Only 127.0.0.1 is ever connected to (the loopback-only safety
 * net stops, and records, any socket that tries another IP address).
 */
import diagnostics from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FinSettingsOverrides } from '../../src/domain/fin-settings.js';
import { createDispatcher } from '../../src/cli/dispatching.js';
import { AgentClient } from '../support/agent-client.js';
import { FakeClock } from '../support/fake-clock.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';
import { loopbackOnly, type LoopbackOnly } from '../support/loopback-only.js';
import { TlsReceiver } from '../support/tls-receiver.js';

const WEBHOOK_KEY = 'whk_outbound_secret';
const quiet = () => undefined;

describe.each(sqlBackends())('Fin base URLs and private networks on %s', (backend) => {
  let tls: TlsReceiver;
  let finch: TestFinch;
  let asAdmin: AgentClient;
  let safetyNet: LoopbackOnly;
  const requestsStarted: string[] = [];
  const onRequest = (message: unknown) => requestsStarted.push(String((message as { request: { host: string } }).request.host));

  beforeAll(async () => {
    safetyNet = loopbackOnly();
    tls = await new TlsReceiver().start();
    // As if started with FINCH_FIN_ALLOWED_NETWORKS=10.20.0.0/16.
    finch = await startTestFinch(backend, { fin: { allowedNetworks: ['10.20.0.0/16'] } });
    const admin = await makeAgent(finch, 'Ada', 'admin');
    asAdmin = await AgentClient.signIn(finch.baseUrl, admin.email, PASSWORD);
    diagnostics.subscribe('http.client.request.start', onRequest);
  });
  afterAll(async () => {
    diagnostics.unsubscribe('http.client.request.start', onRequest);
    safetyNet?.restore();
    await finch?.close();
    await tls?.stop();
  });
  beforeEach(() => {
    tls.connections = 0;
    requestsStarted.length = 0;
  });
  afterEach(() => {
    // Sockets that tried an IP address outside loopback (stopped before sending anything).
    expect(safetyNet.attempts.splice(0)).toEqual([]);
  });

  /** A dispatcher with these Fin settings (as FINCH_FIN_* would give them), on a fake clock. */
  function dispatcherWith(fin: FinSettingsOverrides) {
    return createDispatcher(
      finch.finch!,
      { fin: { integrationId: 'int_7', webhookKey: WEBHOOK_KEY, ...fin } },
      {
        logger: { info: quiet, warn: quiet, error: quiet },
        clock: new FakeClock(new Date(Date.now() + 1000).toISOString()),
        random: () => 0.5,
      },
    );
  }

  /** A conversation with one pending notification; what was pending before is set aside. */
  async function changedConversation(): Promise<string> {
    await finch.database!.db.updateTable('outbox_events').set({ status: 'delivered' }).where('status', 'in', ['pending', 'in_flight']).execute();
    const { id } = await finConversation(finch);
    expect((await asAdmin.post(`/conversations/${id}/messages`, { body: 'note', visibility: 'private' })).status).toBe(201);
    return id;
  }

  const lastAttempt = async (conversationId: string) =>
    (await asAdmin.get(`/deliveries?conversation_id=${conversationId}`)).body.deliveries[0] as Record<string, unknown>;

  it('refuses a private, loopback or link-local IP literal when the settings are saved (422), in any spelling', async () => {
    for (const [url, shown] of [
      ['https://169.254.169.254', '169.254.169.254, a link-local address'],
      ['https://[::ffff:127.0.0.1]', '[::ffff:7f00:1], a loopback address'],
      ['https://10.0.0.1', '10.0.0.1, a private address'],
      ['https://0x7f000001', '127.0.0.1, a loopback address'],
      ['https://2130706433', '127.0.0.1, a loopback address'],
      ['https://[fd00::1]', '[fd00::1], a unique-local address'],
      ['https://100.64.0.1', '100.64.0.1, a shared (carrier-grade NAT) address'],
      ['https://localhost:8443', 'localhost, a loopback address'],
    ]) {
      const response = await asAdmin.put('/settings/fin', { base_url: url });
      expect(response.status, url).toBe(422);
      expect(response.body, url).toMatchObject({
        code: 'invalid_base_url',
        detail: `base_url must not point to ${shown} (set FINCH_FIN_ALLOWED_NETWORKS to allow an on-premises network).`,
      });
    }
    // A host name is judged on what it resolves to, when Finch connects; an allowed network now.
    for (const url of ['https://fin.example.com', 'https://10.20.0.5:8443']) {
      expect((await asAdmin.put('/settings/fin', { base_url: url })).status, url).toBe(200);
    }
    expect((await asAdmin.put('/settings/fin', { base_url: null })).status).toBe(200);
  });

  it('refuses, when connecting, a host name that resolves to a refused address: a failed attempt that says why, and no connection', async () => {
    const conversationId = await changedConversation();
    expect(await dispatcherWith({ baseUrl: `https://localhost:${tls.port}` }).runOnce()).toBe(1);
    expect(await lastAttempt(conversationId)).toMatchObject({
      outcome: 'retry',
      status_code: null,
      response_excerpt: null,
      error: expect.stringMatching(
        /^refused to connect: localhost \((127\.0\.0\.1|::1)\) is a loopback address; FINCH_FIN_ALLOWED_NETWORKS can allow an on-premises network$/,
      ),
      next_attempt_at: expect.any(String),
    });
    expect(tls.connections).toBe(0);
  });

  it('connects to the same host name when its network is allowed', async () => {
    const conversationId = await changedConversation();
    expect(await dispatcherWith({ baseUrl: `https://localhost:${tls.port}`, allowedNetworks: ['127.0.0.0/8'] }).runOnce()).toBe(1);
    // Through the guard to the TLS server; this process does not trust the test CA (delivery over
    // TLS with NODE_EXTRA_CA_CERTS is proven in outbound-process.test.ts).
    expect(tls.connections).toBe(1);
    expect(await lastAttempt(conversationId)).toMatchObject({
      outcome: 'retry',
      status_code: null,
      error: 'certificate not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
    });
  });

  it('refuses a literal stored before the rule when sending, before any request is made', async () => {
    const stored = await finch.finch!.settings.getFinSettings();
    await finch.finch!.settings.putFinSettings({ ...stored, baseUrl: 'https://169.254.169.254' }, new Date().toISOString());
    try {
      const conversationId = await changedConversation();
      expect(await dispatcherWith({}).runOnce()).toBe(1);
      expect(await lastAttempt(conversationId)).toMatchObject({
        outcome: 'retry',
        status_code: null,
        response_excerpt: null,
        url: 'https://169.254.169.254/hooks/standalone/custom_helpdesk_conversation_event/int_7',
        error: 'refused to connect: 169.254.169.254 is a link-local address; FINCH_FIN_ALLOWED_NETWORKS can allow an on-premises network',
      });
      expect(requestsStarted).toEqual([]);
    } finally {
      await finch.finch!.settings.putFinSettings(stored, new Date().toISOString());
    }
  });
});
