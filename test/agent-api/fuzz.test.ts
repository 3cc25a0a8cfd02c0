/**
 * Generated input over every agent API operation, as an admin with a session (so that validation,
 * not authorization, answers): whatever arrives, the answer is below 500 and every refusal is a
 * problem object. AGENT_FUZZ_RUNS sets the number of requests (default 800).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

const RUNS = Number(process.env.AGENT_FUZZ_RUNS ?? 800);

describe('generated input to the agent API', () => {
  let finch: TestFinch;
  let admin: AgentClient;
  let ids: string[];

  beforeAll(async () => {
    finch = await startTestFinch('sqlite');
    const root = await makeAgent(finch, 'Root', 'admin');
    admin = await AgentClient.signIn(finch.baseUrl, root.email, PASSWORD);
    const conversation = await finConversation(finch);
    const note = await admin.post(`/conversations/${conversation.id}/messages`, { body: 'seed', visibility: 'private' });
    const delivery = note.body.id as string;
    // Not the admin's own id: a generated password change would sign the fuzzing session out.
    const other = await makeAgent(finch, 'Other');
    ids = [conversation.id, conversation.user.id, other.id, delivery, 'tok_x', 'fcl_x', '%2e%2e', 'x'.repeat(300)];
  });
  afterAll(() => finch?.close());

  it(`answers ${RUNS} generated requests without a 5xx`, async () => {
    const id = fc.constantFrom(...ids);
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom(
        '',
        null,
        'open',
        'resolved',
        'private',
        'public',
        'admin',
        'us',
        'https://x.example',
        'http://x.example',
        '2026-01-01T00:00:00Z',
        'not-a-date',
        '\u0000',
      ),
      id,
    );
    const fields = [
      'body',
      'visibility',
      'attachments',
      'status',
      'title',
      'tags',
      'attributes',
      'assignee_id',
      'name',
      'email',
      'password',
      'role',
      'active',
      'alias',
      'scope',
      'integration_id',
      'webhook_key',
      'region',
      'base_url',
      'delivery_enabled',
      'from',
      'to',
      'current_password',
      'new_password',
    ];
    const body = fc.oneof(
      fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 6 }).map((object) => JSON.stringify(object)),
      fc.jsonValue({ maxDepth: 3 }).map((json) => JSON.stringify(json)),
      fc.string({ maxLength: 80 }),
    );
    const query = fc
      .dictionary(
        fc.constantFrom('queue', 'status', 'tag', 'q', 'cursor', 'limit', 'event_id', 'conversation_id', 'outcome'),
        fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('waiting', 'all', '0', '1000', 'retry')),
        { maxKeys: 4 },
      )
      .map((params) => new URLSearchParams(params).toString());
    const request = fc.oneof(
      fc
        .tuple(fc.constantFrom('GET'), fc.constantFrom('/conversations', '/deliveries'), query)
        .map(([method, path, q]) => ({ method, path: `${path}?${q}`, body: undefined as string | undefined })),
      fc.tuple(id).map(([x]) => ({ method: 'GET', path: `/conversations/${encodeURIComponent(x)}`, body: undefined as string | undefined })),
      fc
        .tuple(
          fc.constantFrom(
            ['POST', '/conversations/:id/messages'],
            ['PATCH', '/conversations/:id'],
            ['POST', '/conversations/:id/takeover'],
            ['POST', '/conversations/:id/handback'],
            ['POST', '/conversations/:id/typing'],
            ['PATCH', '/users/:id'],
            ['POST', '/deliveries/:id/replay'],
            ['POST', '/deliveries/replay'],
            ['PUT', '/settings/fin'],
            ['POST', '/agents'],
            ['PATCH', '/agents/:id'],
            ['POST', '/tokens'],
            ['DELETE', '/tokens/:id'],
            ['POST', '/oauth-clients'],
            ['DELETE', '/oauth-clients/:id'],
            ['POST', '/session'],
            ['POST', '/me/password'],
          ),
          id,
          body,
        )
        .map(([[method, path], x, text]) => ({
          method: method!,
          path: path!.replace(':id', encodeURIComponent(x)),
          body: method === 'DELETE' ? undefined : text,
        })),
    );

    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, body: text }) => {
        const response = await fetch(`${finch.baseUrl}/api/v1${path}`, {
          method,
          headers: {
            cookie: (admin as unknown as { cookie: string }).cookie,
            'x-csrf-token': admin.csrfToken!,
            ...(text === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(text === undefined ? {} : { body: text }),
        });
        const answer = await response.text();
        // A generated sign-in with a well-formed wrong email and password is rightly a 401; any
        // other 401 would mean the admin's session ended during the run.
        const signIn = method === 'POST' && path === '/session';
        if (!(signIn && response.status === 401)) statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const where = `${method} ${path} ${text ?? ''} -> ${response.status} ${answer.slice(0, 300)}`;
        expect(response.status, where).toBeLessThan(500);
        if (response.status >= 400) {
          expect(response.headers.get('content-type'), where).toMatch(/^application\/problem\+json/);
          expect(JSON.parse(answer), where).toMatchObject({ type: 'about:blank', status: response.status });
        }
      }),
      { numRuns: RUNS },
    );
    // The session must have lasted the whole run, and input must have reached past validation.
    expect(statuses.get(401) ?? 0).toBe(0);
    expect((await admin.get('/session')).status).toBe(200);
    expect((statuses.get(200) ?? 0) + (statuses.get(201) ?? 0) + (statuses.get(202) ?? 0)).toBeGreaterThan(RUNS / 20);
    expect((statuses.get(422) ?? 0) + (statuses.get(404) ?? 0)).toBeGreaterThan(RUNS / 50);
  }, 300_000);
});
