/**
 * The sender reaches only addresses the network rule permits, over real sockets on loopback: a
 * host name is judged on the addresses it resolves to when the connection is made, an IP literal
 * (in any spelling the URL standard turns into one) before any request exists. Nothing here is
 * ever sent beyond 127.0.0.1: a literal outside loopback is refused before a request is created,
 * which the `http.client.request.start` channel proves, and the loopback-only safety net would
 * stop (and record) any socket that tried.
 */
import diagnostics from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/outbox/clock.js';
import { postWebhook } from '../../src/outbox/webhook-sender.js';
import { FinReceiver } from '../support/fin-receiver.js';
import { loopbackOnly, type LoopbackOnly } from '../support/loopback-only.js';
import { TlsReceiver } from '../support/tls-receiver.js';

const KEY = 'whk_guarded_key';
const EVENT = { id: 'evt_guard', payload: { type: 'conversation.sync' } };
const OPTIONS = { timeoutMs: 5000, clock: systemClock };

describe('the outbound guard', () => {
  let tls: TlsReceiver;
  let plain: FinReceiver;
  let safetyNet: LoopbackOnly;
  const requestsStarted: string[] = [];
  const onRequest = (message: unknown) => requestsStarted.push(String((message as { request: { host: string } }).request.host));

  beforeAll(async () => {
    safetyNet = loopbackOnly();
    tls = await new TlsReceiver().start();
    plain = await new FinReceiver().start();
    diagnostics.subscribe('http.client.request.start', onRequest);
  });
  afterAll(async () => {
    diagnostics.unsubscribe('http.client.request.start', onRequest);
    safetyNet?.restore();
    await tls?.stop();
    await plain?.stop();
  });
  afterEach(() => {
    // Sockets that tried an IP address outside loopback (stopped before sending anything).
    expect(safetyNet.attempts.splice(0)).toEqual([]);
  });
  beforeEach(() => {
    tls.connections = 0;
    tls.received.length = 0;
    requestsStarted.length = 0;
  });

  it('refuses a host name that resolves to loopback over https, without connecting', async () => {
    const result = await postWebhook({ url: `https://localhost:${tls.port}/hook`, webhookKey: KEY }, EVENT, OPTIONS);
    expect(result).toMatchObject({ statusCode: null, responseExcerpt: null, retryAfter: null });
    expect(result.error).toMatch(/^refused to connect: localhost \((127\.0\.0\.1|::1)\) is a loopback address; FINCH_FIN_ALLOWED_NETWORKS can allow/);
    expect(tls.connections).toBe(0);
  });

  it('connects to the same host name when FINCH_FIN_ALLOWED_NETWORKS names its network', async () => {
    const result = await postWebhook({ url: `https://localhost:${tls.port}/hook`, webhookKey: KEY, allowedNetworks: ['127.0.0.0/8'] }, EVENT, OPTIONS);
    // The guard let it through: the TLS server saw the connection. This process does not trust the
    // test CA, so the handshake fails on the certificate (delivery over TLS is proven end to end,
    // with NODE_EXTRA_CA_CERTS, in outbound-process.test.ts).
    expect(tls.connections).toBe(1);
    expect(result.error).toBe('certificate not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
  });

  it.each([
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'],
    ['https://[::ffff:127.0.0.1]/', '::ffff:7f00:1 is a loopback address'],
    ['https://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe is a link-local address'],
    ['https://10.0.0.1/', '10.0.0.1 is a private address'],
    ['https://0x7f000001/', '127.0.0.1 is a loopback address'],
    ['https://2130706433/', '127.0.0.1 is a loopback address'],
    ['https://017700000001/', '127.0.0.1 is a loopback address'],
    ['https://127.1/', '127.0.0.1 is a loopback address'],
    ['https://127.0.0.1./', '127.0.0.1 is a loopback address'],
    ['https://0/', '0.0.0.0 is an unspecified ("this network") address'],
    ['https://[::]/', ':: is an unspecified address'],
    ['https://[::1]/', '::1 is a loopback address'],
    ['https://[fd12:3456::1]/', 'fd12:3456::1 is a unique-local address'],
    ['https://[fe80::1]/', 'fe80::1 is a link-local address'],
    ['https://[64:ff9b::a9fe:a9fe]/', '64:ff9b::a9fe:a9fe is a link-local address'],
    ['https://100.64.0.1/', '100.64.0.1 is a shared (carrier-grade NAT) address'],
    ['https://172.16.5.4/', '172.16.5.4 is a private address'],
    ['https://192.168.0.1/', '192.168.0.1 is a private address'],
    ['https://224.0.0.1/', '224.0.0.1 is a multicast address'],
    ['http://10.0.0.1/', '10.0.0.1 is not a loopback address (http:// is allowed only for loopback; use https://)'],
  ])('refuses the literal %s before any request is made', async (url, why) => {
    const result = await postWebhook({ url, webhookKey: KEY }, EVENT, OPTIONS);
    expect(result).toMatchObject({ statusCode: null, responseExcerpt: null, error: expect.stringContaining(`refused to connect: ${why}`) });
    expect(requestsStarted).toEqual([]);
  });

  it('lets a literal through when it is in an allowed network (and only then)', async () => {
    const allowed = await postWebhook({ url: `https://127.0.0.1:${tls.port}/hook`, webhookKey: KEY, allowedNetworks: ['127.0.0.1/32'] }, EVENT, OPTIONS);
    expect(tls.connections).toBe(1);
    expect(allowed.error).toMatch(/^certificate/);
    const other = await postWebhook({ url: `https://127.0.0.2:${tls.port}/hook`, webhookKey: KEY, allowedNetworks: ['127.0.0.1/32'] }, EVENT, OPTIONS);
    expect(other.error).toMatch(/^refused to connect: 127\.0\.0\.2 is a loopback address/);
    expect(tls.connections).toBe(1);
  });

  it('keeps http:// for loopback (the emulator): by name and by literal', async () => {
    plain.received.length = 0;
    for (const host of ['localhost', '127.0.0.1']) {
      const url = new URL(plain.baseUrl);
      url.hostname = host;
      const result = await postWebhook({ url: `${url.origin}/hook`, webhookKey: KEY }, EVENT, OPTIONS);
      expect(result, host).toMatchObject({ statusCode: 202, error: null });
    }
    expect(plain.received).toHaveLength(2);
  });

  it('shows the start of an answer only when it was not a 2xx, control characters blanked and the key masked', async () => {
    plain.fallback = { status: 202, body: '{"status":"accepted"}' };
    const accepted = await postWebhook({ url: `${plain.baseUrl}/hook`, webhookKey: KEY }, EVENT, OPTIONS);
    expect(accepted).toMatchObject({ statusCode: 202, responseExcerpt: null, error: null });
    plain.fallback = { status: 400, body: `{"error":"bad key ${KEY}"}\u0007\u001b[31m${'x'.repeat(1000)}` };
    const refused = await postWebhook({ url: `${plain.baseUrl}/hook`, webhookKey: KEY }, EVENT, OPTIONS);
    expect(refused.statusCode).toBe(400);
    expect(refused.responseExcerpt).toHaveLength(500);
    expect(refused.responseExcerpt).toContain('bad key [webhook key]');
    expect(refused.responseExcerpt).not.toContain(KEY);
    expect(refused.responseExcerpt).not.toMatch(/[\u0000-\u001f]/);
    plain.fallback = { status: 202, body: '{"status":"accepted"}' };
  });
});
