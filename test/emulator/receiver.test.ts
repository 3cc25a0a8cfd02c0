/**
 * The emulator's webhook endpoint answers a helpdesk as Fin would: 401 for a wrong key, 404 for
 * an unknown integration, 400 for a body it cannot read, 202 otherwise. And its state (chats, the
 * error log) survives a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoop, type Loop } from '../support/emulator.js';

describe('the emulator webhook receiver', () => {
  let loop: Loop;
  beforeAll(async () => {
    loop = await startLoop('sqlite', 'rest');
  });
  afterAll(() => loop?.close());

  const hook = (integration: string, key: string | undefined, body: string) =>
    fetch(`${loop.emulator.url}/hooks/standalone/custom_helpdesk_conversation_event/${integration}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'x-webhook-key': key }) },
      body,
    });

  it('refuses a wrong or missing key (401), an unknown integration (404), a bad body (400)', async () => {
    expect((await hook('int_loop', 'wrong', '{"conversation_id":"conv_1"}')).status).toBe(401);
    expect((await hook('int_loop', undefined, '{"conversation_id":"conv_1"}')).status).toBe(401);
    expect((await hook('int_other', 'loop-key', '{"conversation_id":"conv_1"}')).status).toBe(404);
    for (const body of [
      '{}',
      '[]',
      '"x"',
      '{"conversation_id": 5}',
      '{"conversation_id":"c","event_type":"agent_typing"}',
      '{"conversation_id":"c","event_type":"deleted"}',
      '{bad',
    ]) {
      const response = await hook('int_loop', 'loop-key', body);
      expect(response.status, body).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('accepts sync and typing events (202), for conversations it knows or not', async () => {
    expect((await hook('int_loop', 'loop-key', '{"conversation_id":"conv_unknown"}')).status).toBe(202);
    // The docs: a sync event's event_type is "omitted or null".
    expect((await hook('int_loop', 'loop-key', '{"conversation_id":"conv_unknown","event_type":null}')).status).toBe(202);
    const typing = JSON.stringify({
      conversation_id: 'conv_unknown',
      event_type: 'agent_typing',
      data: { agent: { id: 'agent_1', user_type: 'agent', name: 'Hana', email: 'h@example.com' } },
    });
    expect((await hook('int_loop', 'loop-key', typing)).status).toBe(202);
  });

  it('serves the messenger page and the error log as a page and as JSON', async () => {
    const page = await fetch(`${loop.emulator.url}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain('aria-label="Your message"');
    loop.proxy.fail('GET', '/api/fin/agents', 0);
    expect((await fetch(`${loop.emulator.url}/errors`)).status).toBe(200);
    expect(await (await fetch(`${loop.emulator.url}/api/errors`)).json()).toHaveProperty('errors');
  });
});
