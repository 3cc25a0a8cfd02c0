/**
 * Large hostile input other than attributes costs little and answers briefly: a 1 MiB array where
 * tags or attachments belong is one error, not one per element (that was 3 s of CPU and a 48 MB
 * answer), and HTML nested 87,000 deep is refused before the parser (whose time grows with the
 * square of the depth) sees it. Small refused requests still list every error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIANTS } from '../../src/contract/models.js';
import { MAX_HTML_DEPTH } from '../../src/domain/content.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';
import { withLoopWatch } from '../support/loop-watch.js';

const ZEROS = `[${Array(520_000).fill('0').join(',')}]`;
const DEEP_HTML = '<b>'.repeat(87_000);

describe.each(sqlBackends())('large input on %s', (backend) => {
  let finch: TestFinch;
  let agent: AgentClient;
  let seed: { userId: string; conversationId: string };

  beforeAll(async () => {
    finch = await startTestFinch(backend);
    agent = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Big')).email, PASSWORD);
    const conversation = await finConversation(finch);
    seed = { userId: conversation.user.id, conversationId: conversation.id };
  });
  afterAll(() => finch?.close());

  describe.each(VARIANTS)('Fin API, %s variant', (variant) => {
    const path = (name: string, rest: string) => `${finch.apiUrl}${variant === 'rest' ? rest : `/${name}`}`;
    const method = (rest: string) => (variant === 'rest' ? rest : 'POST');

    it('answers 520,000 wrong-typed tags with one error, quickly and briefly', async () => {
      const before = await finch.dump();
      const { result, maxStallMs } = await withLoopWatch(() =>
        finch.client(variant).send(method('PUT'), path('update_conversation', '/conversation'), `{"conversation_id":"${seed.conversationId}","tags":${ZEROS}}`),
      );
      expect(result.status).toBe(400);
      expect(result.problem).toMatchObject({ code: 'validation_failed', errors: [{ pointer: '/tags', detail: expect.any(String) }] });
      expect(JSON.stringify(result.body).length).toBeLessThan(2_000);
      expect(await finch.dump()).toBe(before);
      expect(maxStallMs).toBeLessThan(400);
    });

    it('answers 100,000 malformed attachments with one error', async () => {
      const attachments = `[${Array(100_000).fill('{"url":1}').join(',')}]`;
      const author = JSON.stringify({ id: seed.userId, user_type: 'end_user' });
      const response = await finch
        .client(variant)
        .send(
          'POST',
          path('create_message', '/messages'),
          `{"conversation_id":"${seed.conversationId}","body":"x","author":${author},"attachments":${attachments}}`,
        );
      expect(response.status).toBe(400);
      expect((response.problem as { errors: unknown[] }).errors).toHaveLength(1);
      expect(JSON.stringify(response.body).length).toBeLessThan(2_000);
    });

    it('still lists every error of a small refused request', async () => {
      const response = await finch.client(variant).call('update_conversation', { conversation_id: seed.conversationId, title: 5, tags: 'x', status: 'nope' });
      expect(response.status).toBe(400);
      const pointers = (response.problem as { errors: { pointer: string }[] }).errors.map((error) => error.pointer).sort();
      expect(pointers).toEqual(['/status', '/tags', '/title']);
    });

    it(`refuses HTML nested more than ${MAX_HTML_DEPTH} deep before parsing it, and keeps HTML at that depth`, async () => {
      const before = await finch.dump();
      const author = { id: seed.userId, user_type: 'end_user' };
      const { result, maxStallMs } = await withLoopWatch(() =>
        finch.client(variant).call('create_message', { conversation_id: seed.conversationId, body: DEEP_HTML, author }),
      );
      expect(result.status).toBe(422);
      expect(result.problem).toMatchObject({ code: 'body_too_deep' });
      expect(await finch.dump()).toBe(before);
      expect(maxStallMs).toBeLessThan(400);

      const deepest = `${'<b>'.repeat(MAX_HTML_DEPTH)}x${'</b>'.repeat(MAX_HTML_DEPTH)}`;
      const kept = await finch.client(variant).call('create_message', { conversation_id: seed.conversationId, body: deepest, author });
      expect(kept.status).toBe(variant === 'rest' ? 201 : 200);
      const over = await finch.client(variant).call('create_conversation', {
        user_id: seed.userId,
        initial_message: { body: `<p>${'<ul><li>'.repeat(MAX_HTML_DEPTH)}x</p>`, author },
      });
      expect(over.status).toBe(422);
      expect(over.problem).toMatchObject({ code: 'body_too_deep' });
    });
  });

  describe('agent API', () => {
    it('refuses a deeply nested reply quickly, and answers wrong-typed tags with one error', async () => {
      const before = await finch.dump();
      const { result, maxStallMs } = await withLoopWatch(() => agent.post(`/conversations/${seed.conversationId}/messages`, { body: DEEP_HTML }));
      expect(result.status).toBe(422);
      expect(result.body).toMatchObject({ code: 'body_too_deep' });
      expect(maxStallMs).toBeLessThan(400);

      const tags = await fetch(`${finch.baseUrl}/api/v1/conversations/${seed.conversationId}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', ...agent.authHeaders(), 'x-csrf-token': agent.csrfToken! },
        body: `{"tags":${ZEROS}}`,
      });
      expect(tags.status).toBe(400);
      expect((await tags.text()).length).toBeLessThan(2_000);
      expect(await finch.dump()).toBe(before);
    });
  });
});
