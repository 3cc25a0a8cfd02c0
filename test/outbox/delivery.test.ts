/**
 * Delivering the outbox to Fin, against a real HTTP receiver on loopback, with the dispatcher on a
 * fake clock: the retry schedule, 429 and 410, timeouts, typing expiry, dead letters and replay,
 * the fail-safe, and the webhook key kept out of every log.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/domain/model.js';
import { createDispatcher } from '../../src/cli/dispatching.js';
import { FailSafeJob } from '../../src/jobs/fail-safe.js';
import type { Dispatcher } from '../../src/outbox/dispatcher.js';
import { AgentClient } from '../support/agent-client.js';
import { FakeClock } from '../support/fake-clock.js';
import { FinReceiver } from '../support/fin-receiver.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent, outboxOf } from '../support/helpdesk.js';

const WEBHOOK_KEY = 'whk_secret_never_logged';
const INTEGRATION = 'int_42';

describe.each(sqlBackends())('delivery to Fin on %s', (backend) => {
  let receiver: FinReceiver;
  let finch: TestFinch;
  let admin: Agent;
  let asAdmin: AgentClient;
  let clock: FakeClock;
  let dispatcher: Dispatcher;
  let logged: string[];
  const record = (level: string) => (details: object, message: string) => void logged.push(`${level} ${message} ${JSON.stringify(details)}`);

  beforeAll(async () => {
    receiver = await new FinReceiver().start();
    finch = await startTestFinch(backend);
    admin = await makeAgent(finch, 'Ada', 'admin');
    asAdmin = await AgentClient.signIn(finch.baseUrl, admin.email, PASSWORD);
    const settings = await asAdmin.put('/settings/fin', { integration_id: INTEGRATION, webhook_key: WEBHOOK_KEY, base_url: receiver.baseUrl });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
  });
  afterAll(async () => {
    await finch?.close();
    await receiver?.stop();
  });

  beforeEach(async () => {
    receiver.received.length = 0;
    receiver.script.length = 0;
    receiver.fallback = { status: 202, body: '{"status":"accepted"}' };
    // Everything earlier is delivered, so each test sees only its own events.
    await finch.database!.db.updateTable('outbox_events').set({ status: 'delivered' }).where('status', 'in', ['pending', 'in_flight']).execute();
    await asAdmin.put('/settings/fin', { delivery_enabled: true });
    await finch.finch!.settings.updateDeliveryState((state) => ({ ...state, unreachableSince: null }), new Date().toISOString());
    clock = new FakeClock(new Date(Date.now() + 1000).toISOString());
    logged = [];
    dispatcher = createDispatcher(
      finch.finch!,
      { fin: {} },
      {
        logger: { info: record('info'), warn: record('warn'), error: record('error') },
        clock,
        random: () => 0.5,
      },
    );
  });
  afterEach(() => {
    // Nothing secret in what the dispatcher logged.
    expect(logged.join('\n')).not.toContain(WEBHOOK_KEY);
  });

  /** A conversation with one pending sync event (a note by the admin). */
  async function changedConversation(): Promise<string> {
    const { id } = await finConversation(finch);
    expect((await asAdmin.post(`/conversations/${id}/messages`, { body: 'note', visibility: 'private' })).status).toBe(201);
    return id;
  }

  const attempts = async (conversationId: string) =>
    (await asAdmin.get(`/deliveries?conversation_id=${conversationId}`)).body.deliveries as {
      id: string;
      outcome: string;
      status_code: number | null;
      error: string | null;
      next_attempt_at: string | null;
      attempt: number;
      url: string;
    }[];

  it('posts {conversation_id} to the hook with the webhook key, and logs the attempt without the key', async () => {
    const conversationId = await changedConversation();
    expect(await dispatcher.runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const [hook] = receiver.received;
    expect(hook!.path).toBe(`/hooks/standalone/custom_helpdesk_conversation_event/${INTEGRATION}`);
    expect(hook!.headers['x-webhook-key']).toBe(WEBHOOK_KEY);
    expect(hook!.headers['content-type']).toBe('application/json');
    expect(hook!.body).toEqual({ conversation_id: conversationId });
    const [attempt] = await attempts(conversationId);
    expect(attempt).toMatchObject({
      outcome: 'delivered',
      status_code: 202,
      attempt: 1,
      url: `${receiver.baseUrl}/hooks/standalone/custom_helpdesk_conversation_event/${INTEGRATION}`,
    });
    expect(JSON.stringify(await asAdmin.get('/deliveries'))).not.toContain(WEBHOOK_KEY);
    expect(JSON.stringify((await asAdmin.get('/settings/fin')).body)).not.toContain(WEBHOOK_KEY);
    expect(await dispatcher.runOnce()).toBe(0);
  });

  it('retries after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h… and dead-letters after 3 days; a replay delivers it', async () => {
    receiver.fallback = { status: 503, body: 'down for maintenance' };
    const conversationId = await changedConversation();
    const createdAt = Date.parse((await outboxOf(finch, conversationId))[0]!.created_at);
    const times: number[] = [];
    for (let cycle = 0; cycle < 20; cycle++) {
      const before = receiver.received.length;
      await dispatcher.runOnce();
      if (receiver.received.length > before) times.push(clock.now().getTime());
      const [latest] = await attempts(conversationId);
      if (!latest?.next_attempt_at) break;
      // Just before the next attempt nothing happens; at it, the attempt is made.
      clock.set(new Date(Date.parse(latest.next_attempt_at) - 1).toISOString());
      expect(await dispatcher.runOnce()).toBe(0);
      clock.advance(1);
    }
    const gaps = times.slice(1).map((time, index) => (time - times[index]!) / 1000);
    expect(gaps).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000, 36000, 36000, 36000, 36000]);
    expect(times.at(-1)! - createdAt).toBeLessThanOrEqual(3 * 86_400_000);
    const log = await attempts(conversationId);
    expect(log[0]).toMatchObject({ outcome: 'dead', status_code: 503, error: 'Fin answered 503', next_attempt_at: null });
    expect(log.slice(1).every((entry) => entry.outcome === 'retry')).toBe(true);
    expect(log[0]!.attempt).toBe(12);

    // The conversation shows it is not synced with Fin…
    expect((await asAdmin.get(`/conversations/${conversationId}`)).body.conversation.fin_sync).toMatchObject({ ok: false, failed_at: expect.any(String) });
    expect(logged.some((line) => line.startsWith('error notification to Fin dead-lettered'))).toBe(true);
    // …until a replay gets through.
    receiver.fallback = { status: 200 };
    const replay = await asAdmin.post(`/deliveries/${log[0]!.id}/replay`);
    expect(replay.status).toBe(202);
    expect(await dispatcher.runOnce()).toBe(1);
    expect((await attempts(conversationId))[0]).toMatchObject({ outcome: 'delivered', attempt: 1 });
    expect((await asAdmin.get(`/conversations/${conversationId}`)).body.conversation.fin_sync).toEqual({ ok: true, failed_at: null });
  });

  it('replays every dead-lettered event of a time range', async () => {
    receiver.fallback = { status: 500 };
    const ids = [await changedConversation(), await changedConversation()];
    for (let i = 0; i < 14; i++) {
      await dispatcher.runOnce();
      clock.advance(11 * 3_600_000);
    }
    for (const id of ids) expect((await attempts(id))[0]!.outcome).toBe('dead');
    receiver.fallback = { status: 202 };
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    expect((await asAdmin.post('/deliveries/replay', { from, to })).body).toEqual({ replayed: 2 });
    expect(await dispatcher.runOnce()).toBe(2);
    for (const id of ids) expect((await attempts(id))[0]!.outcome).toBe('delivered');
  });

  it("waits as long as a 429's Retry-After says", async () => {
    receiver.script.push({ status: 429, headers: { 'retry-after': '120' } });
    const conversationId = await changedConversation();
    await dispatcher.runOnce();
    const [attempt] = await attempts(conversationId);
    expect(attempt).toMatchObject({ outcome: 'retry', status_code: 429 });
    expect(Date.parse(attempt!.next_attempt_at!) - clock.now().getTime()).toBe(120_000);
    clock.advance(119_000);
    expect(await dispatcher.runOnce()).toBe(0);
    clock.advance(1_000);
    expect(await dispatcher.runOnce()).toBe(1);
    expect((await attempts(conversationId))[0]!.outcome).toBe('delivered');
  });

  it('stops delivering on 410 Gone until an admin re-enables delivery', async () => {
    receiver.script.push({ status: 410 });
    const first = await changedConversation();
    await dispatcher.runOnce();
    expect((await attempts(first))[0]).toMatchObject({ outcome: 'disabled', status_code: 410 });
    const settings = (await asAdmin.get('/settings/fin')).body;
    expect(settings).toMatchObject({ sending: false, delivery: { enabled: false, disabled_reason: 'Fin answered 410 Gone' } });
    const second = await changedConversation();
    dispatcher.settingsChanged();
    clock.advance(60_000);
    expect(await dispatcher.runOnce()).toBe(0);
    expect(receiver.received).toHaveLength(1);

    expect((await asAdmin.put('/settings/fin', { delivery_enabled: true })).body).toMatchObject({ sending: true, delivery: { enabled: true } });
    dispatcher.settingsChanged();
    expect(await dispatcher.runOnce()).toBe(2);
    expect(receiver.received.map((hook) => hook.body.conversation_id).sort()).toEqual([first, first, second].sort());
  });

  it('gives up an attempt after 10 s without an answer and retries 5 s later', async () => {
    receiver.script.push('hang');
    const conversationId = await changedConversation();
    const cycle = dispatcher.runOnce();
    await receiver.waitFor(1);
    clock.advance(10_000);
    await cycle;
    const [attempt] = await attempts(conversationId);
    expect(attempt).toMatchObject({ outcome: 'retry', status_code: null, error: 'no answer within 10000 ms' });
    expect(Date.parse(attempt!.next_attempt_at!) - clock.now().getTime()).toBe(5_000);
  });

  it('reports a refused connection, and counts Fin as unreachable from then', async () => {
    await asAdmin.put('/settings/fin', { base_url: `http://127.0.0.1:${await closedPort()}` });
    dispatcher.settingsChanged();
    try {
      const conversationId = await changedConversation();
      await dispatcher.runOnce();
      expect((await attempts(conversationId))[0]).toMatchObject({ outcome: 'retry', error: 'connection refused (ECONNREFUSED)' });
      expect((await asAdmin.get('/settings/fin')).body.delivery.unreachable_since).toBe(clock.now().toISOString());
    } finally {
      await asAdmin.put('/settings/fin', { base_url: receiver.baseUrl });
    }
  });

  it('sends typing with the agent, never late, never twice', async () => {
    const { id } = await finConversation(finch);
    expect((await asAdmin.post(`/conversations/${id}/typing`)).body).toEqual({ sent: true });
    expect(await dispatcher.runOnce()).toBe(1);
    expect(receiver.received[0]!.body).toEqual({
      conversation_id: id,
      event_type: 'agent_typing',
      data: { agent: { id: admin.id, user_type: 'agent', name: 'Ada', email: admin.email } },
    });

    // Past its 5 s, a typing notification is dropped without an attempt.
    expect((await asAdmin.post(`/conversations/${id}/typing`)).body).toEqual({ sent: false });
    finch.clock.advance(3_001);
    expect((await asAdmin.post(`/conversations/${id}/typing`)).body).toEqual({ sent: true });
    finch.clock.advance(-3_001);
    clock.advance(10_000);
    await dispatcher.runOnce();
    expect(receiver.received).toHaveLength(1);
    const typing = (await outboxOf(finch, id)).filter((event) => event.kind === 'typing');
    expect(typing.map((event) => event.status).sort()).toEqual(['delivered', 'expired']);

    // A failed typing notification is not retried and never dead-letters its conversation. It is
    // made well past the 3 s throttle of the one above (not just past it: a margin of a millisecond
    // or two depends on how fast the steps in between ran).
    receiver.script.push({ status: 500 });
    finch.clock.advance(20_000);
    const sent = await asAdmin.post(`/conversations/${id}/typing`);
    finch.clock.advance(-20_000);
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect(sent.body).toEqual({ sent: true });
    const earlier = new Set((await attempts(id)).map((attempt) => attempt.id));
    // The dispatcher's clock a second after that notification was made (it lives 5 s): due, not expired,
    // however long the steps above took.
    const latest = (await outboxOf(finch, id)).filter((event) => event.kind === 'typing').at(-1)!;
    clock.set(new Date(Date.parse(String(latest.created_at)) + 1_000).toISOString());
    expect(await dispatcher.runOnce()).toBe(1);
    // The new attempt, by id rather than by its place in the list.
    const [failed] = (await attempts(id)).filter((attempt) => !earlier.has(attempt.id));
    expect(failed).toMatchObject({ outcome: 'expired', status_code: 500, next_attempt_at: null });
    expect((await asAdmin.get(`/conversations/${id}`)).body.conversation.fin_sync.ok).toBe(true);
  });

  it('coalesces a burst of changes into one delivery', async () => {
    const { id } = await finConversation(finch);
    for (const title of ['a', 'b', 'c', 'd', 'e']) await asAdmin.patch(`/conversations/${id}`, { title });
    expect(await dispatcher.runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(1);
  });

  it('routes Fin-owned conversations to people once Fin has been unreachable for 10 minutes', async () => {
    receiver.fallback = { status: 502 };
    const fails = await changedConversation();
    const quiet = (await finConversation(finch)).id;
    await dispatcher.runOnce();
    const failSafe = new FailSafeJob({ ...finch.finch!, afterMs: 10 * 60_000, logger: { warn: record('warn') } });
    clock.advance(9 * 60_000);
    expect(await failSafe.check(clock.now())).toEqual([]);
    clock.advance(60_000);
    const routed = await failSafe.check(clock.now());
    expect(routed).toContain(fails);
    expect(logged).toContainEqual(expect.stringContaining('warn Fin has been unreachable too long: its conversations were routed to people'));
    const view = (await asAdmin.get(`/conversations/${fails}`)).body.conversation;
    expect(view).toMatchObject({ queue: 'waiting', assignee: null, handover_reason: 'fin_unreachable' });
    expect((await asAdmin.get('/conversations?queue=waiting&limit=100')).body.conversations.map((c: { id: string }) => c.id)).toContain(fails);
    // Fin will hear of it once it is back.
    expect((await outboxOf(finch, fails)).some((event) => event.status === 'pending' || event.status === 'in_flight')).toBe(true);
    expect(quiet).toBeDefined();
  });

  it('refuses a Fin base URL that is not HTTPS, except on localhost', async () => {
    for (const url of ['http://fin.example.com', 'ftp://fin.example.com', 'https://user:pw@fin.example.com', 'not a url']) {
      const response = await asAdmin.put('/settings/fin', { base_url: url });
      expect(response.status, url).toBe(422);
      expect(response.body).toMatchObject({ code: 'invalid_base_url' });
    }
    for (const url of ['https://api.eu.intercom.io', 'http://localhost:8081', 'http://127.0.0.1:8081']) {
      expect((await asAdmin.put('/settings/fin', { base_url: url })).status, url).toBe(200);
    }
    await asAdmin.put('/settings/fin', { base_url: receiver.baseUrl });
  });

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    receiver.script.push({ status: 307, headers: { location: 'https://elsewhere.example/hook' } });
    const conversationId = await changedConversation();
    await dispatcher.runOnce();
    expect((await attempts(conversationId))[0]).toMatchObject({ outcome: 'retry', status_code: 307, error: 'Fin answered 307 (redirects are not followed)' });
    expect(receiver.received).toHaveLength(1);
  });
});

describe('Fin settings', () => {
  let finch: TestFinch;
  let asAdmin: AgentClient;
  beforeAll(async () => {
    finch = await startTestFinch('sqlite', { fin: { region: 'eu', webhookKey: 'from-env' } });
    const admin = await makeAgent(finch, 'Root', 'admin');
    asAdmin = await AgentClient.signIn(finch.baseUrl, admin.email, PASSWORD);
  });
  afterAll(() => finch?.close());

  it('says why nothing is sent, shows environment overrides, and never shows the key', async () => {
    const before = (await asAdmin.get('/settings/fin')).body;
    expect(before).toMatchObject({
      sending: false,
      not_sending_reason: 'Fin is not configured: integration id missing',
      webhook_key_set: true,
      region: 'eu',
      overridden_by_environment: ['webhook_key', 'region'],
    });
    const after = (await asAdmin.put('/settings/fin', { integration_id: 'int_7', webhook_key: 'stored-key', region: 'us' })).body;
    expect(after).toMatchObject({
      sending: true,
      region: 'eu',
      webhook_url: 'https://api.eu.intercom.io/hooks/standalone/custom_helpdesk_conversation_event/int_7',
    });
    expect(JSON.stringify(after)).not.toMatch(/stored-key|from-env/);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
