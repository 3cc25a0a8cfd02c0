/**
 * `/me/notifications` and `/settings/chat-webhook` over real HTTP on both databases: an agent's
 * choices (partial updates keep the rest), admins only for the webhook, CSRF with a cookie,
 * problem JSON for bad input, the URL shown masked and never whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { AgentClient } from '../support/agent-client.js';
import { makeAgent, PASSWORD } from '../support/helpdesk.js';
import { startChatReceiver } from './support.js';

describe.each(sqlBackends())('notification settings over HTTP (%s)', (backend) => {
  let finch: TestFinch;
  let agent: AgentClient;
  let admin: AgentClient;

  beforeAll(async () => {
    finch = await startTestFinch(backend);
    const ana = await makeAgent(finch, 'Ana');
    const boss = await makeAgent(finch, 'Boss', 'admin');
    agent = await AgentClient.signIn(finch.baseUrl, ana.email, PASSWORD);
    admin = await AgentClient.signIn(finch.baseUrl, boss.email, PASSWORD);
  });
  afterAll(() => finch.close());

  it('reads the defaults, says email is off until a sender can send it, and keeps what a partial update leaves out', async () => {
    const initial = await agent.get('/me/notifications');
    expect(initial.status).toBe(200);
    expect(initial.body).toEqual({
      email: { handover: 'never', assigned: 'when_away', customer_reply: 'when_away', sla: 'when_away' },
      email_enabled: false,
      email_address: 'ana@example.com',
    });
    await finch.finch!.notifications.reportChannels({ email: true }, new Date().toISOString());
    const changed = await agent.put('/me/notifications', { email: { handover: 'always', sla: 'never' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      email: { handover: 'always', assigned: 'when_away', customer_reply: 'when_away', sla: 'never' },
      email_enabled: true,
    });
    expect((await agent.get('/me/notifications')).body.email.handover).toBe('always');
    // Another agent's choices are their own.
    expect((await admin.get('/me/notifications')).body.email.handover).toBe('never');
  });

  it('refuses an unknown choice or event with a problem, and a change without the CSRF token', async () => {
    const bad = await agent.put('/me/notifications', { email: { handover: 'sometimes' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await agent.put('/me/notifications', { email: { pager: 'always' } })).status).toBe(400);
    const noCsrf = await agent.request('PUT', '/me/notifications', { email: { handover: 'never' } }, { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect((await agent.get('/me/notifications')).body.email.handover).toBe('always');
  });

  it('lets only admins read and set the chat webhook, shows its URL masked, and refuses URLs Finch may not post to', async () => {
    expect((await agent.get('/settings/chat-webhook')).status).toBe(403);
    expect((await agent.put('/settings/chat-webhook', { url: 'https://hooks.slack.com/services/T0/B0/x' })).status).toBe(403);
    expect((await admin.get('/settings/chat-webhook')).body).toEqual({
      configured: false,
      last_attempt: null,
      url_masked: null,
      waiting_minutes: 10,
      sla_breaches: true,
    });

    const url = 'https://hooks.slack.com/services/T000/B000/supersecrettoken9Zq';
    const saved = await admin.put('/settings/chat-webhook', { url, waiting_minutes: 15 });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ configured: true, last_attempt: null, url_masked: 'https://hooks.slack.com/…n9Zq', waiting_minutes: 15, sla_breaches: true });
    const read = await admin.get('/settings/chat-webhook');
    expect(JSON.stringify(read.body)).not.toContain('supersecrettoken');
    // Left out: the URL stays.
    expect((await admin.put('/settings/chat-webhook', { sla_breaches: false })).body).toMatchObject({ configured: true, sla_breaches: false });

    for (const refused of ['http://hooks.example.com/x', 'https://192.168.1.10/hook', 'not a url']) {
      const answer = await admin.put('/settings/chat-webhook', { url: refused });
      expect(answer.status, refused).toBe(422);
      expect(answer.body).toMatchObject({ code: 'invalid_webhook_url' });
    }
    expect((await admin.put('/settings/chat-webhook', { waiting_minutes: -1 })).status).toBe(400);
    expect((await admin.put('/settings/chat-webhook', { url: null })).body).toMatchObject({ configured: false, url_masked: null });
  });

  it('shows how the last post went and sends a test post (admins only, CSRF; 409 without a webhook, 502 when the chat server fails it)', async () => {
    await admin.put('/settings/chat-webhook', { url: null });
    const none = await admin.post('/settings/chat-webhook/test', {});
    expect(none.status).toBe(409);
    expect(none.body).toMatchObject({ code: 'chat_webhook_not_set' });

    const chat = await startChatReceiver();
    try {
      chat.answer = { status: 302, headers: { location: 'http://169.254.169.254/' } };
      expect((await admin.put('/settings/chat-webhook', { url: chat.url })).body).toMatchObject({ configured: true, last_attempt: null });
      expect((await agent.post('/settings/chat-webhook/test', {})).status).toBe(403);
      expect((await admin.request('POST', '/settings/chat-webhook/test', {}, { csrf: false })).status).toBe(403);
      expect(chat.posts).toEqual([]);

      const failed = await admin.post('/settings/chat-webhook/test', {});
      expect(failed.status).toBe(502);
      expect(failed.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(failed.body).toMatchObject({ status: 502, code: 'chat_webhook_failed', detail: expect.stringMatching(/answered 302/) });
      expect(JSON.stringify(failed.body)).not.toContain('secret-token-xyz');
      expect(chat.posts).toHaveLength(1);
      expect(chat.posts[0]!.text).toMatch(/^Test post from Finch \(sent by Boss/);
      const shown = (await admin.get('/settings/chat-webhook')).body;
      expect(shown.last_attempt).toMatchObject({ ok: false, error: expect.stringMatching(/^127\.0\.0\.1:\d+ answered 302$/), test: true });
      expect(Date.parse(shown.last_attempt.at)).not.toBeNaN();

      chat.answer = { status: 200 };
      const ok = await admin.post('/settings/chat-webhook/test', {});
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ ok: true, error: null, test: true });
      expect((await admin.get('/settings/chat-webhook')).body.last_attempt).toMatchObject({ ok: true, error: null });
      // A new URL starts with no last attempt (the last one told of the old address).
      expect((await admin.put('/settings/chat-webhook', { url: `${chat.url}-new` })).body.last_attempt).toBeNull();
    } finally {
      await chat.close();
    }
  });
});
