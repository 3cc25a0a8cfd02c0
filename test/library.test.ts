/**
 * Finch as a library: the README's example helpdesk (examples/own-helpdesk.ts) mounts the Fin API
 * over the in-memory store, and Fin's side of the protocol works against it in both variants.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHelpdesk } from '../examples/own-helpdesk.js';
import { FinClient } from '../src/client/fin-client.js';
import { VARIANTS } from '../src/contract/models.js';

describe('the example of Fin on your own helpdesk', () => {
  let baseUrl: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const { app } = await buildHelpdesk({ token: 'example-token', signingSecret: 'example-secret' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/fin`;
    close = () => app.close();
  });
  afterAll(() => close?.());

  it.each(VARIANTS)('serves the %s variant to a client with the token and the signing secret', async (variant) => {
    const fin = new FinClient({ baseUrl, variant, token: 'example-token', signingSecret: 'example-secret' });
    const user = (await fin.call('create_user', { name: 'Lib', email: 'lib@example.com' })).payload as { id: string };
    const created = await fin.call('create_conversation', {
      user_id: user.id,
      initial_message: { body: 'Hello', author: { id: user.id, user_type: 'end_user' } },
    });
    expect(created.status).toBe(variant === 'rest' ? 201 : 200);
    const { conversation } = created.payload as { conversation: { id: string } };
    const messages = await fin.call('get_messages', { conversation_id: conversation.id });
    expect(messages.payload).toHaveLength(1);
  });

  it('refuses a wrong token and an unsigned request', async () => {
    expect((await new FinClient({ baseUrl, variant: 'rest', token: 'nope', signingSecret: 'example-secret' }).call('get_agents')).status).toBe(401);
    expect((await new FinClient({ baseUrl, variant: 'rest', token: 'example-token' }).call('get_agents')).status).toBe(401);
  });
});
