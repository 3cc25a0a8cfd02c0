/**
 * The conformance checker: it passes a conforming helpdesk (Finch on every store, and the example
 * of Fin on one's own helpdesk), and it fails a broken one with the right check named. The broken
 * helpdesks are Finch behind a proxy that breaks one rule each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHelpdesk } from '../../examples/own-helpdesk.js';
import { runConformance, type ConformanceOptions, type ConformanceReport } from '../../src/conformance/run-checks.js';
import { FlakyProxy, type ProxiedRequest, type ProxiedResponse, type Rewrite } from '../support/flaky-proxy.js';
import { backends, startTestFinch, type TestFinch } from '../support/finch.js';

const SIGNING_SECRET = 'check-signing-secret';

/** Checks that fail the run (required ones, or any when strict). */
function failures(report: ConformanceReport): string[] {
  return report.checks.filter((check) => !check.ok && (report.strict || check.level === 'required')).map((check) => `${check.name} — ${check.why}`);
}

/** Every check that did not pass, warnings included. */
function notPassed(report: ConformanceReport): string[] {
  return report.checks.filter((check) => !check.ok).map((check) => `${check.name} — ${check.why}`);
}

function oauth(finch: TestFinch, baseUrl = finch.baseUrl): ConformanceOptions['credentials'] {
  return { kind: 'oauth', tokenUrl: `${baseUrl}/oauth/token`, clientId: finch.clientId, clientSecret: finch.clientSecret };
}

describe.each(backends())('finch check against Finch on %s', (backend) => {
  let finch: TestFinch;
  beforeAll(async () => {
    finch = await startTestFinch(backend, { signingSecret: SIGNING_SECRET });
  });
  afterAll(() => finch?.close());

  it('passes every check in both variants, signatures and token endpoint included', async () => {
    const seen: string[] = [];
    const report = await runConformance(
      { baseUrl: finch.apiUrl, variants: ['rest', 'post'], credentials: oauth(finch), signingSecret: SIGNING_SECRET },
      { onResult: (result) => seen.push(result.name) },
    );
    expect(notPassed(report)).toEqual([]);
    expect(report.passed).toBe(report.checks.length);
    expect(report.warned).toBe(0);
    // Every check says its level and why it has it.
    for (const check of report.checks) {
      expect(['required', 'recommended']).toContain(check.level);
      expect(check.reason.length).toBeGreaterThan(10);
    }
    const level = (name: string) => report.checks.find((check) => check.name === name)?.level;
    expect(level('rest get_messages: after_id returns only the later messages')).toBe('recommended');
    expect(level('rest get_messages: lists the thread oldest first')).toBe('recommended');
    expect(level('post create_message: a repeated object_id returns the first message')).toBe('recommended');
    expect(report.checks.find((check) => check.name === 'rest create_user: a repeated object_id returns the first user')?.reason).toMatch(/retries .* 5 times/);
    expect(level('rest get_messages: with after_id still returns the later messages')).toBe('required');
    expect(level('post get_user: an unknown id is a 404 problem')).toBe('required');
    // Progress saw every check as it finished, in order.
    expect(seen).toEqual(report.checks.map((check) => check.name));
    const names = report.checks.map((check) => check.name);
    for (const variant of ['rest', 'post']) {
      for (const name of [
        'get_agents: lists the agents in the contract shape',
        'create_user: a repeated object_id returns the first user',
        'get_messages: after_id returns only the later messages',
        'update_conversation: assignee_id null hands over (reads back as no assignee)',
        'create_message: an empty message is refused with a 4xx problem',
        'create_message: a non-HTTPS attachment is refused with a 4xx problem',
        'signature: a stale timestamp is refused with 401',
        'auth: a request without a token is a 401 problem',
        'malformed input: broken JSON is a 4xx problem',
      ]) {
        expect(names).toContain(`${variant} ${name}`);
      }
    }
    expect(names).toContain('token endpoint: refuses a wrong client secret');
    expect(report.skipped).toEqual(['webhook: not listening (--listen)']);
  });

  it('marks what it creates: a title prefix and attributes with the run id', async () => {
    const report = await runConformance({
      baseUrl: finch.apiUrl,
      variants: ['rest'],
      credentials: { kind: 'token', token: finch.token },
      signingSecret: SIGNING_SECRET,
    });
    expect(notPassed(report)).toEqual([]);
    const fin = finch.client('rest', { signingSecret: SIGNING_SECRET });
    const user = (await fin.call('create_user', { object_id: `finch-check-${report.runId}-rest-user` })).payload as {
      id: string;
      attributes: Record<string, unknown>;
    };
    expect(user.attributes).toMatchObject({ finch_check: true, finch_check_run: report.runId });
    const conversation = (
      await fin.call('create_conversation', {
        object_id: `finch-check-${report.runId}-rest-conversation`,
        user_id: user.id,
        initial_message: { body: 'x', author: { id: user.id, user_type: 'end_user' } },
      })
    ).payload as { conversation: { title: string; attributes: Record<string, unknown> } };
    expect(conversation.conversation.title).toMatch(new RegExp(`^\\[finch check\\] ${report.runId} rest`));
    expect(conversation.conversation.attributes).toMatchObject({ finch_check: true, finch_check_run: report.runId });
  });
});

describe('finch check against the example of Fin on your own helpdesk (in-memory store, fixed token)', () => {
  let close: () => Promise<void>;
  let baseUrl: string;
  beforeAll(async () => {
    const { app } = await buildHelpdesk({ token: 'example-token', signingSecret: SIGNING_SECRET });
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/fin`;
    close = () => app.close();
  });
  afterAll(() => close?.());

  it('passes in both variants', async () => {
    const report = await runConformance({
      baseUrl,
      variants: ['rest', 'post'],
      credentials: { kind: 'token', token: 'example-token' },
      signingSecret: SIGNING_SECRET,
    });
    expect(notPassed(report)).toEqual([]);
    expect(report.passed).toBeGreaterThan(50);
    expect(report.skipped).toContain('token endpoint: a fixed token was given (--token)');
  });
});

// --- broken helpdesks ------------------------------------------------------------------------------

/** The body as JSON; undefined when empty or not JSON (the checker sends broken JSON on purpose). */
function json(body: Buffer): unknown {
  try {
    return body.length ? JSON.parse(body.toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
}
const withJson = <T extends ProxiedRequest | ProxiedResponse>(message: T, value: unknown): T => ({ ...message, body: Buffer.from(JSON.stringify(value)) });

function camelCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCase);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()), camelCase(inner)]),
  );
}

/** Adds a key the contract does not have to every object of a successful answer. */
function withExtraKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withExtraKeys);
  if (typeof value !== 'object' || value === null) return value;
  return { ...Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withExtraKeys(inner)])), x_helpdesk_extra: 1 };
}

/** Every key `name` removed, wherever it is. */
function without(value: unknown, name: string): unknown {
  if (Array.isArray(value)) return value.map((item) => without(item, name));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).flatMap(([key, inner]) => (key === name ? [] : [[key, without(inner, name)]])));
}

/** Every `tags: []` answered as `tags: null`, which the docs allow. */
function nullTags(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nullTags);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, key === 'tags' && Array.isArray(inner) && inner.length === 0 ? null : nullTags(inner)]),
  );
}

const successes = (change: (body: unknown) => unknown): Rewrite => ({
  response: (response) => (response.status < 300 ? withJson(response, change(json(response.body))) : response),
});

/**
 * Each helpdesk strays from the contract in one way. `failing`: required checks it must fail;
 * `warned`: recommended checks it must only be warned about (exactly these, when `failing` is
 * empty, so the run would exit 0).
 */
const BROKEN: { name: string; rewrite: Rewrite; failing: string[]; warned?: string[] }[] = [
  {
    name: 'camelCase keys',
    rewrite: successes(camelCase),
    failing: ['rest get_agents: lists the agents in the contract shape', 'post create_user: creates an end-user'],
  },
  {
    name: 'a required field missing (user_type)',
    rewrite: successes((body) => without(body, 'user_type')),
    failing: ['rest get_agents: lists the agents in the contract shape', 'post get_user: reads the end-user back', 'rest get_messages: lists the whole thread'],
  },
  {
    name: 'a wrong status code (200 for a REST create)',
    rewrite: { response: (response, request) => (request.method === 'POST' && response.status === 201 ? { ...response, status: 200 } : response) },
    failing: ['rest create_user: creates an end-user', 'rest create_conversation: creates a conversation with its first message'],
  },
  {
    name: 'an unknown id answered 200',
    rewrite: {
      response: (response) =>
        response.status === 404 ? withJson({ ...response, status: 200, headers: { 'content-type': 'application/json' } }, {}) : response,
    },
    failing: ['rest get_user: an unknown id is a 404 problem', 'rest get_messages: an unknown conversation is a 404 problem'],
  },
  {
    name: 'a bare array in the POST-only variant',
    rewrite: {
      response: (response, request) => {
        const body = json(response.body) as { data?: unknown } | undefined;
        const listing = request.path.endsWith('/get_agents') || request.path.endsWith('/get_messages');
        return listing && response.status < 300 ? withJson(response, body?.data) : response;
      },
    },
    failing: ['post get_agents: lists the agents in the contract shape', 'post get_messages: lists the whole thread'],
  },
  {
    name: 'object_id ignored',
    rewrite: {
      request: (request) => {
        const body = request.body.length ? (json(request.body) as Record<string, unknown>) : undefined;
        if (!body || typeof body !== 'object' || !('object_id' in body)) return request;
        const { object_id: _ignored, ...rest } = body;
        return withJson(request, rest);
      },
    },
    failing: [],
    warned: ['create_user', 'create_conversation', 'create_message'].flatMap((op) =>
      ['rest', 'post'].map((v) => `${v} ${op}: a repeated object_id returns the first ${op === 'create_user' ? 'user' : op.slice(7)}`),
    ),
  },
  {
    name: 'after_id ignored',
    rewrite: {
      request: (request) => {
        if (request.path.includes('after_id=')) return { ...request, path: request.path.replace(/[&?]after_id=[^&]*/, '') };
        if (!request.path.endsWith('/get_messages')) return request;
        const body = json(request.body) as Record<string, unknown> | undefined;
        if (!body) return request;
        const { after_id: _ignored, ...rest } = body;
        return withJson(request, rest);
      },
    },
    failing: [],
    warned: ['rest get_messages: after_id returns only the later messages', 'post get_messages: after_id returns only the later messages'],
  },
  {
    name: 'extra keys in every answer',
    rewrite: successes(withExtraKeys),
    failing: [],
    warned: ['rest answers: only the documented keys', 'post answers: only the documented keys'],
  },
  { name: 'tags null where there are none', rewrite: successes(nullTags), failing: [], warned: [] },
  {
    name: 'POST-only errors as 200 with error',
    rewrite: {
      response: (response, request) =>
        /^\/api\/fin\/(get|create|update)_/.test(request.path) && !request.path.startsWith('/api/fin/get_agents') && response.status >= 400
          ? { ...response, status: 200, headers: { 'content-type': 'application/json' } }
          : response,
    },
    failing: [],
    warned: ['post refusals: a problem object with the real HTTP status'],
  },
  {
    name: 'missing auth accepted',
    rewrite: { request: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${currentToken}` } }) },
    failing: ['rest auth: a request without a token is a 401 problem', 'post auth: a wrong token is a 401 problem'],
  },
  {
    name: '500 on bad input',
    rewrite: {
      response: (response) =>
        response.status === 400 ? { status: 500, headers: { 'content-type': 'text/plain' }, body: Buffer.from('Internal Server Error') } : response,
    },
    failing: [],
    warned: ['rest', 'post'].flatMap((v) => [`${v} malformed input: broken JSON is a 4xx problem`, `${v} malformed input: wrong types are a 4xx problem`]),
  },
];

let currentToken = '';

describe('finch check against broken helpdesks', () => {
  let finch: TestFinch;
  beforeAll(async () => {
    finch = await startTestFinch('memory');
    currentToken = finch.token;
  });
  afterAll(() => finch?.close());

  it.each(BROKEN)('fails the required checks and warns of the recommended ones against $name', async ({ rewrite, failing, warned }) => {
    const proxy = await new FlakyProxy(finch.baseUrl, rewrite).start();
    try {
      const options: ConformanceOptions = { baseUrl: `${proxy.url}/api/fin`, variants: ['rest', 'post'], credentials: { kind: 'token', token: finch.token } };
      const report = await runConformance(options);
      const failedRequired = report.checks.filter((check) => !check.ok && check.level === 'required').map((check) => check.name);
      const failedRecommended = report.checks.filter((check) => !check.ok && check.level === 'recommended').map((check) => check.name);
      for (const name of failing) expect(failedRequired).toContain(name);
      expect(report.failed).toBe(failedRequired.length);
      expect(report.warned).toBe(failedRecommended.length);
      expect(report.passed + report.failed + report.warned).toBe(report.checks.length);
      if (failing.length === 0) expect(failures(report)).toEqual([]);
      if (warned && failing.length === 0) {
        for (const name of warned) expect(failedRecommended).toContain(name);
        // Only the rule broken is warned about (the refusal-form checks judge every refusal, so they may join).
        expect(failedRecommended.filter((name) => !warned.includes(name) && !name.includes('refusals:'))).toEqual([]);
        if (warned.length === 0) expect(failedRecommended.filter((name) => !name.includes('refusals:'))).toEqual([]);
      }
      // Every failure says why.
      for (const check of report.checks.filter((c) => !c.ok)) expect(check.why).not.toBe('');
      if (warned?.length) {
        // --strict: the same warnings fail the run.
        const strict = await runConformance({ ...options, strict: true });
        expect(strict.warned).toBe(0);
        expect(strict.failed).toBeGreaterThanOrEqual(warned.length);
      }
    } finally {
      await proxy.stop();
    }
  });

  it('fails the token check against a token endpoint that accepts a wrong secret', async () => {
    const proxy = await new FlakyProxy(finch.baseUrl, {
      response: (response, request) =>
        request.path === '/oauth/token'
          ? withJson(
              { ...response, status: 200, headers: { 'content-type': 'application/json' } },
              { access_token: finch.token, token_type: 'Bearer', expires_in: 3600 },
            )
          : response,
    }).start();
    try {
      const report = await runConformance({ baseUrl: `${proxy.url}/api/fin`, variants: ['rest'], credentials: oauth(finch, proxy.url) });
      expect(report.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(['token endpoint: refuses a wrong client secret']);
    } finally {
      await proxy.stop();
    }
  });

  it('fails the signature checks against a helpdesk that ignores signatures', async () => {
    const report = await runConformance({
      baseUrl: finch.apiUrl,
      variants: ['post'],
      credentials: { kind: 'token', token: finch.token },
      signingSecret: SIGNING_SECRET,
    });
    expect(report.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual([
      'post signature: an unsigned request is refused with 401',
      'post signature: a wrong signature is refused with 401',
      'post signature: a stale timestamp is refused with 401',
    ]);
    // The docs describe the signature, not its enforcement: warnings, failures with --strict.
    expect([report.failed, report.warned]).toEqual([0, 3]);
  });

  it('fails every check with the reason when nothing answers', async () => {
    const report = await runConformance({
      baseUrl: 'http://127.0.0.1:9/api/fin',
      variants: ['rest'],
      credentials: { kind: 'token', token: 'x' },
      timeoutMs: 2000,
    });
    expect(report.passed).toBe(0);
    expect(report.checks[0]!.why).toMatch(/no answer from GET http:\/\/127\.0\.0\.1:9\/api\/fin\/agents/);
  });
});
