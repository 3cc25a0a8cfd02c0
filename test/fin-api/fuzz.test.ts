/**
 * Generated input (fast-check): thousands of malformed bodies and queries sent to every endpoint
 * of both variants. Whatever arrives, Finch answers below 500, every refusal is a problem object
 * in the variant's form, a refused request leaves the store exactly as it was, and what it
 * accepts (loose user fields among it) is answered as the served OpenAPI document says.
 *
 * FUZZ_RUNS sets the number of requests per store (default 1500).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/contract/operations.js';
import { backends, startTestFinch, type TestFinch } from '../support/finch.js';
import { OpenApiValidator } from '../support/openapi.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);

interface Endpoint {
  variant: 'rest' | 'post';
  method: string;
  path: string;
  fields: string[];
}

const ENDPOINTS: Endpoint[] = OPERATIONS.flatMap((op) => {
  const fields = Object.keys((op.input as { properties?: object }).properties ?? {});
  return [
    { variant: 'rest' as const, method: op.rest.method, path: op.rest.path, fields },
    { variant: 'post' as const, method: 'POST', path: op.post.path, fields },
  ];
});

describe.each(backends())('generated input on %s', (backend) => {
  let finch: TestFinch;
  let openapi: OpenApiValidator;
  let ids: string[];

  beforeAll(async () => {
    finch = await startTestFinch(backend, { bodyLimitBytes: 32_768 });
    openapi = await OpenApiValidator.load(finch.baseUrl);
    const client = finch.client('rest');
    const user = (await client.call('create_user', { name: 'Fuzz', email: 'fuzz@example.com', object_id: 'fuzz-user' })).payload as { id: string };
    const created = (
      await client.call('create_conversation', {
        user_id: user.id,
        object_id: 'fuzz-conv',
        initial_message: { body: 'Seed', author: { id: user.id, user_type: 'end_user' }, object_id: 'fuzz-msg' },
      })
    ).payload as { conversation: { id: string; assignee: { id: string } }; initial_message: { id: string } };
    ids = [user.id, created.conversation.id, created.conversation.assignee.id, created.initial_message.id, 'fuzz-user', 'fuzz-conv'];
  });
  afterAll(() => finch?.close());

  it(`answers ${RUNS} malformed requests without a 5xx, with problem objects, changing nothing it refuses`, async () => {
    const known = fc.constantFrom(...ids);
    /** Values a field might get: right, wrong type, hostile, huge. */
    const value = fc.oneof(
      { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      { weight: 2, arbitrary: known },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '',
          ' ',
          'https://example.com/a.pdf',
          'http://example.com/a',
          'javascript:alert(1)',
          '<script>alert(1)</script>',
          '2025-10-27T14:30:00Z',
          '2025-02-30T00:00:00Z',
          '9999-12-31T23:59:60Z',
          'open',
          'resolved',
          'public',
          'private',
          'comment',
          'end_user',
          'agent',
          '\u0000',
          '\ud800',
          '%zz',
        ),
      },
      { weight: 1, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, -0, 1e308, true, false, null, [], {}, { __proto__: { polluted: true } }) },
      { weight: 1, arbitrary: fc.string({ minLength: 2000, maxLength: 3000 }) },
    );
    const author = fc.record({ id: fc.oneof(known, fc.string()), user_type: fc.constantFrom('end_user', 'agent', 'bot', '') }, { requiredKeys: [] });
    const attachment = fc.record(
      { url: fc.oneof(value, fc.constantFrom('https://x.example/a.png', 'ftp://x/a')), filetype: value, filename: value },
      { requiredKeys: [] },
    );

    const [userId, conversationId, finId] = ids as [string, string, string];
    const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary }, { weight: 1, arbitrary: value });
    /** User fields as loose as the docs allow: any text, which Finch keeps (trimmed, "" as null) and never refuses. */
    const looseEmail = fc.oneof(
      fc.constantFrom('a@example.com', null, '', 'jane@example', 'JANE@EXAMPLE.COM ', 'not an email', ' ', 'ＪＡＮＥ@example.com'),
      fc.string({ maxLength: 40 }),
    );
    const loosePhoto = fc.oneof(
      fc.constantFrom(
        'https://example.com/a.png',
        null,
        '',
        '/avatars/a.png',
        'avatars/a.png',
        'http://example.com/a.png',
        'javascript:alert(1)',
        'https://x y/',
      ),
      fc.string({ maxLength: 40 }),
    );
    const looseUser = {
      name: maybe(fc.oneof(fc.string(), fc.constantFrom('', '  Jane  '))),
      email: maybe(looseEmail),
      photo_url: maybe(loosePhoto),
      user_type: maybe(fc.constantFrom('end_user', 'lead', '')),
    };
    const messageish = fc.record(
      {
        body: maybe(fc.oneof(fc.constantFrom('', null, '<p>hi</p>', '<script>x</script>', '<p>&nbsp;</p>'), fc.string())),
        author: fc.oneof(fc.constant({ id: userId, user_type: 'end_user' }), fc.constant({ id: finId, user_type: 'agent' }), author),
        attachments: fc.oneof(
          fc.constant([]),
          fc.array(
            fc.record({ url: fc.constantFrom('https://x.example/a.png', 'http://x.example/a.png', 'ftp://x/a', 'nope'), filename: maybe(fc.string()) }),
            { maxLength: 2 },
          ),
          fc.array(attachment, { maxLength: 2 }),
        ),
        created_at: fc.oneof(fc.constantFrom('2025-10-27T14:30:00Z', '2025-10-27T23:59:60Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59-23:59'), value),
        visibility: maybe(fc.constantFrom('public', 'private')),
        object_id: maybe(fc.constantFrom('fuzz-msg', 'fuzz-other')),
        attributes: maybe(fc.dictionary(fc.string(), fc.jsonValue())),
      },
      { requiredKeys: ['author'] },
    );
    /** Create Message needs an author; an initial message without one is the end-user's. */
    const initialMessageish = fc.tuple(messageish, fc.boolean()).map(([message, withoutAuthor]) => {
      if (!withoutAuthor) return message;
      const { author: _author, ...rest } = message;
      return rest;
    });
    /** Bodies that pass the schema more often than not, so the domain's own refusals get exercised. */
    const nearValid: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
      user: fc.record(
        {
          user_id: maybe(known),
          attributes: maybe(fc.dictionary(fc.string(), fc.jsonValue())),
          ...looseUser,
          object_id: maybe(fc.constantFrom('fuzz-user', 'fuzz-other', '')),
        },
        { requiredKeys: [] },
      ),
      conversation: fc.record(
        {
          conversation_id: maybe(known),
          user_id: maybe(known),
          user: fc.record(
            { id: maybe(fc.oneof(known, fc.string(), fc.constant(''))), ...looseUser, attributes: maybe(fc.dictionary(fc.string(), fc.jsonValue())) },
            { requiredKeys: [] },
          ),
          assignee_id: fc.oneof(known, fc.constant(null), fc.string()),
          tags: maybe(fc.array(fc.string(), { maxLength: 3 })),
          status: maybe(fc.constantFrom('open', 'ended')),
          last_user_read_at: maybe(fc.constantFrom('2025-10-27T14:30:00Z', '2025-10-27T23:59:60Z', null)),
          initial_message: initialMessageish,
          object_id: maybe(fc.constantFrom('fuzz-conv', 'fuzz-new')),
        },
        { requiredKeys: [] },
      ),
      messages: messageish.map((message) => ({ ...message, conversation_id: conversationId })),
    };
    const nearValidFor = (endpoint: Endpoint) =>
      (endpoint.path.includes('message') ? nearValid.messages : endpoint.path.includes('conversation') ? nearValid.conversation : nearValid.user)!.map((body) =>
        JSON.stringify(body),
      );

    const bodyFor = (endpoint: Endpoint) =>
      fc.oneof(
        { weight: 12, arbitrary: nearValidFor(endpoint) },
        // Objects made of the endpoint's own fields (and a few hostile keys) with any values.
        {
          weight: 6,
          arbitrary: fc
            .dictionary(
              fc.constantFrom(...endpoint.fields, '__proto__', 'constructor', 'author', 'initial_message', 'user', 'attachments', 'extra'),
              fc.oneof(
                value,
                author,
                fc.array(attachment, { maxLength: 3 }),
                fc.record({ body: value, author, attachments: fc.array(attachment, { maxLength: 2 }) }, { requiredKeys: [] }),
              ),
              { maxKeys: 8 },
            )
            .map((body) => JSON.stringify(body)),
        },
        // Any JSON at all, and text that is not JSON.
        { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((body) => JSON.stringify(body)) },
        { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
        // Truncated and deeply nested JSON.
        { weight: 1, arbitrary: fc.jsonValue().map((body) => JSON.stringify(body).slice(0, -1)) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)) },
        { weight: 1, arbitrary: fc.constant(JSON.stringify({ body: 'x'.repeat(40_000) })) },
      );

    const queryFor = (endpoint: Endpoint) =>
      fc.oneof(
        fc
          .array(fc.tuple(fc.constantFrom(...endpoint.fields, 'conversation_id', 'after_id', 'user_id', 'x'), fc.oneof(known, fc.string({ maxLength: 300 }))), {
            maxLength: 4,
          })
          .map((pairs) => pairs.map(([key, val]) => `${encodeURIComponent(key)}=${encodeURIComponent(val)}`).join('&')),
        fc.constantFrom(
          'user_id=%zz',
          'conversation_id=%',
          'conversation_id[]=a',
          'conversation_id[a]=b',
          '&&&',
          '=',
          'after_id=',
          `user_id=${'a'.repeat(5000)}`,
        ),
      );

    const request = fc.constantFrom(...ENDPOINTS).chain((endpoint) =>
      fc.record({
        endpoint: fc.constant(endpoint),
        body: endpoint.method === 'GET' ? fc.constant(undefined) : bodyFor(endpoint),
        query: endpoint.method === 'GET' ? queryFor(endpoint) : fc.constant(''),
        contentType: fc.oneof(
          { weight: 10, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
          { weight: 1, arbitrary: fc.constantFrom('text/plain', undefined, 'application/x-www-form-urlencoded') },
        ),
      }),
    );

    const statuses = new Map<number, number>();
    let before = await finch.dump();
    await fc.assert(
      fc.asyncProperty(request, async ({ endpoint, body, query, contentType }) => {
        const headers: Record<string, string> = { authorization: `Bearer ${finch.token}` };
        if (contentType && body !== undefined) headers['content-type'] = contentType;
        const response = await fetch(`${finch.apiUrl}${endpoint.path}${query ? `?${query}` : ''}`, {
          method: endpoint.method,
          headers,
          ...(body === undefined ? {} : { body }),
        });
        const text = await response.text();
        const where = `${endpoint.method} ${endpoint.path}?${query} ${contentType} ${String(body).slice(0, 300)} -> ${response.status} ${text.slice(0, 300)}`;
        expect(response.status, where).toBeLessThan(500);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status < 400) {
          before = await finch.dump();
          // Lenient on what Fin sends, strict on what Finch answers.
          openapi.expectValid(`/api/fin${endpoint.path}`, endpoint.method, response.status, response.headers.get('content-type'), JSON.parse(text));
          return;
        }
        const parsed = JSON.parse(text);
        const problem = endpoint.variant === 'post' ? parsed.error : parsed;
        if (endpoint.variant === 'post') expect(parsed.data, where).toBeNull();
        expect(problem, where).toMatchObject({ type: 'about:blank', title: expect.any(String), status: response.status });
        expect(await finch.dump(), where).toBe(before);
      }),
      { numRuns: RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    );
    // The run must reach past schema validation into the domain, where half-written changes could happen.
    expect(statuses.get(422) ?? 0).toBeGreaterThan(RUNS / 100);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS / 10);
  }, 600_000);
});
