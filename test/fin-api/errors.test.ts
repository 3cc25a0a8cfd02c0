/**
 * Spec §6: every way a request can be wrong gets the right status and a problem object in the
 * variant's form, never a 5xx, and leaves the store exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FinClient, FinResponse } from '../../src/client/fin-client.js';
import { VARIANTS } from '../../src/contract/models.js';
import { operation, type OperationName } from '../../src/contract/operations.js';
import { expectDocumented, expectProblem, ok, type ContractCaller } from '../support/contract.js';
import { backends, startTestFinch, type TestFinch } from '../support/finch.js';
import { OpenApiValidator } from '../support/openapi.js';

describe.each(backends())('Fin API errors on %s', (backend) => {
  let finch: TestFinch;
  let openapi: OpenApiValidator;
  let seed: { userId: string; conversationId: string; messageId: string; finId: string };

  beforeAll(async () => {
    finch = await startTestFinch(backend, { bodyLimitBytes: 65_536 });
    openapi = await OpenApiValidator.load(finch.baseUrl);
    const api = { client: finch.client('rest'), openapi };
    const user = await ok(api, 'create_user', { name: 'Err', email: 'err@example.com', object_id: 'errors-user' });
    const created = await ok(api, 'create_conversation', {
      user_id: user.id,
      object_id: 'errors-conv',
      initial_message: { body: 'Hi', author: { id: user.id, user_type: 'end_user' }, object_id: 'errors-msg' },
    });
    seed = { userId: user.id, conversationId: created.conversation.id, messageId: created.initial_message.id, finId: created.conversation.assignee.id };
  });
  afterAll(() => finch?.close());

  describe.each(VARIANTS)('%s variant', (variant) => {
    let client: FinClient;
    let api: ContractCaller;
    beforeAll(() => {
      client = finch.client(variant);
      api = { client, openapi };
    });

    /** Calls, expects the status (and code), a documented problem, and no change to the store. */
    async function refused(name: OperationName, input: Record<string, unknown>, status: number, code?: string) {
      const before = await finch.dump();
      const response = await client.call(name, input);
      expectRefusal(response, status, code);
      expect(await finch.dump()).toBe(before);
      return response.problem!;
    }

    function expectRefusal(response: FinResponse, status: number, code?: string) {
      if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
      expectProblem(response, status, code);
      expectDocumented(openapi, response);
    }

    const url = (name: OperationName) => finch.apiUrl + (variant === 'rest' ? operation(name).rest.path : operation(name).post.path);
    const writeMethod = (name: OperationName) => (variant === 'rest' ? operation(name).rest.method : 'POST');

    it('400 for a body that is not JSON', async () => {
      const before = await finch.dump();
      const response = await client.send(writeMethod('create_message'), url('create_message'), '{"conversation_id": ');
      expectRefusal(response, 400, 'invalid_json');
      expect(await finch.dump()).toBe(before);
    });

    it('400 for a JSON body that is not an object', async () => {
      for (const body of ['[]', '"text"', '42', 'null']) {
        const response = await client.send(writeMethod('update_user'), url('update_user'), body);
        expectRefusal(response, 400);
      }
    });

    it('400 for wrong types, naming each offending field', async () => {
      const problem = await refused(
        'update_conversation',
        { conversation_id: seed.conversationId, title: 5, tags: 'pricing', attributes: [], status: 'archived', assignee_id: 7 },
        400,
        'validation_failed',
      );
      const pointers = (problem.errors as { pointer: string }[]).map((error) => error.pointer).sort();
      expect(pointers).toEqual(['/assignee_id', '/attributes', '/status', '/tags', '/title']);
      expect(problem.detail).toContain('title must be string or null');
      await refused('create_message', { conversation_id: seed.conversationId, body: 'x', author: { id: seed.userId, user_type: 'bot' } }, 400);
      await refused(
        'create_message',
        { conversation_id: seed.conversationId, body: 'x', author: { id: seed.userId, user_type: 'end_user' }, visibility: 'secret' },
        400,
      );
      await refused(
        'create_message',
        { conversation_id: seed.conversationId, body: 'x', author: { id: seed.userId, user_type: 'end_user' }, message_type: 'note' },
        400,
      );
      // A user's fields are judged by their JSON type only (an email that is not an address is kept as text).
      await refused('create_user', { name: 'x', email: 5 }, 400);
      await refused('create_user', { name: 'x', photo_url: ['https://example.com/a.png'] }, 400);
      await refused('update_user', { user_id: seed.userId, email: { address: 'a@example.com' } }, 400);
      await refused('create_user', { name: 'x', object_id: 12 }, 400);
      await refused(
        'create_message',
        { conversation_id: seed.conversationId, body: 'x', author: { id: seed.userId, user_type: 'end_user' }, created_at: 'yesterday' },
        400,
      );
    });

    it('400 for missing required fields', async () => {
      const problem = await refused('create_message', { conversation_id: seed.conversationId, body: 'x' }, 400);
      expect(problem.errors).toEqual([{ pointer: '/author', detail: 'author is required' }]);
      await refused('get_user', {}, 400);
      await refused('get_conversation', { conversation_id: '' }, 400);
      await refused('create_conversation', { user_id: seed.userId }, 400);
    });

    it('400 for a query parameter given twice', async () => {
      if (variant !== 'rest') return;
      const response = await client.send('GET', `${finch.apiUrl}/user?user_id=a&user_id=b`, undefined);
      expectRefusal(response, 400);
    });

    it('404 for unknown ids', async () => {
      await refused('get_user', { user_id: 'user_nope' }, 404, 'user_not_found');
      await refused('update_user', { user_id: 'user_nope', attributes: { a: 1 } }, 404, 'user_not_found');
      await refused('get_conversation', { conversation_id: 'conv_nope' }, 404, 'conversation_not_found');
      await refused('update_conversation', { conversation_id: 'conv_nope', title: 'x' }, 404, 'conversation_not_found');
      await refused('get_messages', { conversation_id: 'conv_nope' }, 404, 'conversation_not_found');
      await refused('create_message', { conversation_id: 'conv_nope', body: 'x', author: { id: seed.userId, user_type: 'end_user' } }, 404);
    });

    it('422 for a message with nothing in it', async () => {
      const author = { id: seed.userId, user_type: 'end_user' };
      for (const body of [undefined, null, '', '   ', '<p></p>', '<script>alert(1)</script>', '<p>&nbsp;</p>']) {
        await refused('create_message', { conversation_id: seed.conversationId, body, author, attachments: [] }, 422, 'empty_message');
      }
      await refused('create_conversation', { user_id: seed.userId, initial_message: { body: '', author } }, 422, 'empty_message');
    });

    it('422 for attachments that are not HTTPS', async () => {
      const author = { id: seed.userId, user_type: 'end_user' };
      for (const url of ['http://example.com/a.pdf', 'javascript:alert(1)', 'ftp://example.com/a', 'data:text/plain,hi', '//example.com/a']) {
        const problem = await refused(
          'create_message',
          { conversation_id: seed.conversationId, body: 'see file', author, attachments: [{ url, filetype: 'pdf', filename: 'a' }] },
          422,
        );
        expect(['insecure_attachment_url', 'invalid_attachment_url']).toContain(problem.code);
      }
    });

    it('422 for unknown agents, authors and users', async () => {
      await refused('update_conversation', { conversation_id: seed.conversationId, assignee_id: 'agent_nope' }, 422, 'unknown_agent');
      await refused(
        'create_message',
        { conversation_id: seed.conversationId, body: 'x', author: { id: 'agent_nope', user_type: 'agent' } },
        422,
        'unknown_author',
      );
      await refused(
        'create_message',
        { conversation_id: seed.conversationId, body: 'x', author: { id: 'user_other', user_type: 'end_user' } },
        422,
        'unknown_author',
      );
      await refused(
        'create_message',
        { conversation_id: seed.conversationId, body: 'x', author: { id: seed.finId, user_type: 'end_user' } },
        422,
        'unknown_author',
      );
      await refused(
        'create_conversation',
        { user_id: 'user_nope', initial_message: { body: 'x', author: { id: 'user_nope', user_type: 'end_user' } } },
        422,
        'unknown_user',
      );
      await refused('create_conversation', { initial_message: { body: 'x', author: { id: seed.userId, user_type: 'end_user' } } }, 422, 'missing_user');
      await refused('update_conversation', { conversation_id: seed.conversationId, user: { id: 'user_other', name: 'x' } }, 422, 'user_mismatch');
    });

    it('422 for an initial message whose agent author is unknown, creating nothing (not even its new user)', async () => {
      await refused(
        'create_conversation',
        {
          object_id: `never-${variant}`,
          user: { id: `new-user-${variant}`, name: 'New' },
          initial_message: { body: 'x', author: { id: 'agent_nope', user_type: 'agent' } },
        },
        422,
        'unknown_author',
      );
      await refused('get_user', { user_id: `new-user-${variant}` }, 404);
    });

    it('413 for a body over the limit', async () => {
      const before = await finch.dump();
      const big = JSON.stringify({ conversation_id: seed.conversationId, body: 'x'.repeat(70_000), author: { id: seed.userId, user_type: 'end_user' } });
      const response = await client.send(writeMethod('create_message'), url('create_message'), big);
      expectRefusal(response, 413, 'body_too_large');
      expect(await finch.dump()).toBe(before);
    });

    it('415 for a body that is not sent as JSON', async () => {
      const response = await client.send(writeMethod('update_user'), url('update_user'), 'user_id=x', { headers: { 'content-type': 'text/plain' } });
      expectRefusal(response, 415, 'unsupported_media_type');
      const form = await client.send(writeMethod('update_user'), url('update_user'), 'user_id=x', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expectRefusal(form, 415);
    });

    it('405 with Allow for a method an endpoint does not take', async () => {
      const response = await client.send('DELETE', url('get_conversation'), undefined);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe(variant === 'rest' ? 'GET, PUT, POST, HEAD' : 'POST');
      expect(response.problem).toMatchObject({ status: 405, code: 'method_not_allowed' });
    });

    it('404 for a path that is not an endpoint', async () => {
      const response = await client.send('POST', `${finch.apiUrl}/delete_everything`, '{}');
      expect(response.status).toBe(404);
      expect(response.problem).toMatchObject({ status: 404, code: 'no_such_endpoint' });
    });

    it('accepts Get Agents with no body at all in the POST-only variant', async () => {
      if (variant !== 'post') return;
      const response = await client.send('POST', url('get_agents'), undefined);
      expect(response.status).toBe(200);
      expect(Array.isArray(response.payload)).toBe(true);
      await expect(ok(api, 'get_agents', {})).resolves.toBeInstanceOf(Array);
    });
  });
});
