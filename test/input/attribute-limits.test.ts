/**
 * Attribute limits (`ATTRIBUTE_LIMITS`), the same from Fin (both variants: end-user and
 * conversation attributes, user objects) and from agents (conversation and end-user edits): 422
 * `attribute_limit_exceeded` with a pointer, nothing stored, and a refused 1 MiB request costs the
 * server little (other requests, `/health` among them, are not held up by it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLoopWatch } from '../support/loop-watch.js';
import type { FinClient, FinResponse } from '../../src/client/fin-client.js';
import { VARIANTS } from '../../src/contract/models.js';
import type { OperationName } from '../../src/contract/operations.js';
import { ATTRIBUTE_LIMITS } from '../../src/domain/attributes.js';
import { AgentClient, type AgentResponse } from '../support/agent-client.js';
import { expectRefusedAt } from '../support/contract.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

const { keyLength, items, depth, valueSize, totalSize } = ATTRIBUTE_LIMITS;
const nested = (levels: number): unknown => (levels === 0 ? 'leaf' : { n: nested(levels - 1) });
/** The 1 MiB attack: one attribute holding 520,000 zeros. */
const HUGE_ARRAY = `[${Array(520_000).fill('0').join(',')}]`;
/** Attributes with `count` top-level keys. */
const manyKeys = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]));

/** Attribute objects one past a limit, and where the refusal points (under the attributes' own pointer). */
const OVER: [string, () => Record<string, unknown>, string][] = [
  ['a key too long', () => ({ ['k'.repeat(keyLength + 1)]: 1 }), ''],
  ['a key of 100,000 characters', () => ({ ['k'.repeat(100_000)]: 1 }), ''],
  ['a nested key too long', () => ({ profile: { ['k'.repeat(keyLength + 1)]: 1 } }), '/profile'],
  ['an array too long', () => ({ list: Array(items + 1).fill(1) }), '/list'],
  ['a value too deep', () => ({ deep: nested(depth + 1) }), `/deep${'/n'.repeat(depth)}`],
  ['a value too large', () => ({ text: 'x'.repeat(valueSize) }), '/text'],
  ['one key too many (1,001)', () => manyKeys(ATTRIBUTE_LIMITS.keys + 1), ''],
  ['attributes too large together', () => Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((key) => [key, 'x'.repeat(Math.ceil(totalSize / 5))])), ''],
];
/** Attributes at every limit: accepted. */
const AT_LIMITS = () => ({ ['k'.repeat(keyLength)]: 1, list: Array(items).fill(1), deep: nested(depth), text: 'x'.repeat(valueSize - 2) });

describe.each(sqlBackends())('attribute limits on %s', (backend) => {
  let finch: TestFinch;
  let agent: AgentClient;
  let seed: { userId: string; conversationId: string };

  beforeAll(async () => {
    finch = await startTestFinch(backend);
    agent = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Lim')).email, PASSWORD);
    const conversation = await finConversation(finch);
    seed = { userId: conversation.user.id, conversationId: conversation.id };
  });
  afterAll(() => finch?.close());

  const refused = (send: () => Promise<FinResponse | AgentResponse>, pointer: string) =>
    expectRefusedAt(() => finch.dump(), send, { status: 422, code: 'attribute_limit_exceeded', pointer });

  describe.each(VARIANTS)('Fin API, %s variant', (variant) => {
    let fin: FinClient;
    beforeAll(() => {
      fin = finch.client(variant);
    });
    const author = () => ({ id: seed.userId, user_type: 'end_user' });
    /** Every place Fin sends attributes: [operation, input around them, their pointer]. */
    const places: [OperationName, (attributes: unknown) => Record<string, unknown>, string][] = [
      ['create_user', (attributes) => ({ name: 'L', attributes }), '/attributes'],
      ['update_user', (attributes) => ({ user_id: seed.userId, attributes }), '/attributes'],
      ['create_conversation', (attributes) => ({ user_id: seed.userId, attributes, initial_message: { body: 'hi', author: author() } }), '/attributes'],
      [
        'create_conversation',
        (attributes) => ({ user: { id: seed.userId, attributes }, initial_message: { body: 'hi', author: author() } }),
        '/user/attributes',
      ],
      ['update_conversation', (attributes) => ({ conversation_id: seed.conversationId, attributes }), '/attributes'],
      ['update_conversation', (attributes) => ({ conversation_id: seed.conversationId, user: { attributes } }), '/user/attributes'],
    ];

    it.each(OVER)('refuses %s everywhere with 422 and a pointer', async (_what, attributes, under) => {
      for (const [name, input, pointer] of places) await refused(() => fin.call(name, input(attributes())), pointer + under);
    });

    it('accepts attributes at every limit everywhere', async () => {
      for (const [name, input] of places) {
        const response = await fin.call(name, input(AT_LIMITS()));
        expect(response.status, `${name}: ${JSON.stringify(response.body).slice(0, 300)}`).toBeLessThan(300);
      }
    });

    it("accepts 201 and 1,000 keys everywhere (the number of keys is the domain's rule, not the schema's)", async () => {
      for (const count of [201, ATTRIBUTE_LIMITS.keys]) {
        for (const [name, input] of places) {
          // Cleared first: the limit is on the merged attributes, and these places share the seed's.
          expect((await fin.call(name, input(null))).status).toBeLessThan(300);
          const response = await fin.call(name, input(manyKeys(count)));
          expect(response.status, `${name} with ${count} keys: ${JSON.stringify(response.body).slice(0, 300)}`).toBeLessThan(300);
        }
      }
      for (const [name, input] of places) await fin.call(name, input(null));
    });

    it('refuses the 1 MiB, 520,000-element attribute quickly, without holding up other requests', async () => {
      const body = `{"user_id":"${seed.userId}","attributes":{"big":${HUGE_ARRAY}}}`;
      expect(body.length).toBeGreaterThan(1_000_000);
      const url = `${finch.apiUrl}${variant === 'rest' ? '/user' : '/update_user'}`;
      const before = await finch.dump();
      const { result, maxStallMs } = await withLoopWatch(async () => {
        const refusal = fin.send(variant === 'rest' ? 'PUT' : 'POST', url, body);
        const health = await fetch(`${finch.baseUrl}/health`);
        expect(health.status).toBe(200);
        return refusal;
      });
      expect(result.status).toBe(422);
      expect(result.problem).toMatchObject({ code: 'attribute_limit_exceeded', errors: [{ pointer: '/attributes/big' }] });
      expect(await finch.dump()).toBe(before);
      // Parsing 1 MiB of JSON is the floor (tens of ms); walking and storing it held the loop for ~1 s before.
      expect(maxStallMs).toBeLessThan(400);
    });

    it('refuses growing the stored attributes past the limit by merging', async () => {
      const fifth = 'x'.repeat(Math.ceil(totalSize / 5));
      const user = (await fin.call('create_user', { name: 'Grow' })).payload as { id: string };
      for (const key of ['a', 'b', 'c', 'd']) expect((await fin.call('update_user', { user_id: user.id, attributes: { [key]: fifth } })).status).toBe(200);
      await refused(() => fin.call('update_user', { user_id: user.id, attributes: { e: fifth } }), '/attributes');
      expect((await fin.call('update_user', { user_id: user.id, attributes: { a: null, e: fifth } })).status).toBe(200);
    });
  });

  describe('agent API', () => {
    it.each(OVER)('refuses %s in conversation and end-user edits', async (_what, attributes, under) => {
      await refused(() => agent.patch(`/conversations/${seed.conversationId}`, { attributes: attributes() }), `/attributes${under}`);
      await refused(() => agent.patch(`/users/${seed.userId}`, { attributes: attributes() }), `/attributes${under}`);
    });

    it('accepts attributes at every limit', async () => {
      expect((await agent.patch(`/conversations/${seed.conversationId}`, { attributes: AT_LIMITS() })).status).toBe(200);
      expect((await agent.patch(`/users/${seed.userId}`, { attributes: AT_LIMITS() })).status).toBe(200);
    });

    it('accepts 201 and 1,000 keys in conversation and end-user edits', async () => {
      for (const count of [201, ATTRIBUTE_LIMITS.keys]) {
        for (const path of [`/conversations/${seed.conversationId}`, `/users/${seed.userId}`]) {
          expect((await agent.patch(path, { attributes: null })).status).toBe(200);
          const response = await agent.patch(path, { attributes: manyKeys(count) });
          expect(response.status, `${path} with ${count} keys: ${JSON.stringify(response.body).slice(0, 300)}`).toBe(200);
        }
      }
      for (const path of [`/conversations/${seed.conversationId}`, `/users/${seed.userId}`]) await agent.patch(path, { attributes: null });
    });

    it('refuses the 1 MiB, 520,000-element attribute quickly', async () => {
      const before = await finch.dump();
      const { result, maxStallMs } = await withLoopWatch(() =>
        fetch(`${finch.baseUrl}/api/v1/conversations/${seed.conversationId}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json', ...agent.authHeaders(), 'x-csrf-token': agent.csrfToken! },
          body: `{"attributes":{"big":${HUGE_ARRAY}}}`,
        }),
      );
      expect(result.status).toBe(422);
      expect(await result.json()).toMatchObject({ code: 'attribute_limit_exceeded', errors: [{ pointer: '/attributes/big' }] });
      expect(await finch.dump()).toBe(before);
      expect(maxStallMs).toBeLessThan(400);
    });
  });
});
