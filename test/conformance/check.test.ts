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

function failures(report: ConformanceReport): string[] {
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
    expect(failures(report)).toEqual([]);
    expect(report.passed).toBe(report.checks.length);
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
    expect(failures(report)).toEqual([]);
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
    expect(failures(report)).toEqual([]);
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

/** Each helpdesk breaks one rule; the checker must fail the check that names it. */
const BROKEN: { name: string; rewrite: Rewrite; failing: string[] }[] = [
  {
    name: 'camelCase keys',
    rewrite: { response: (response) => (response.status < 300 ? withJson(response, camelCase(json(response.body))) : response) },
    failing: ['rest get_agents: lists the agents in the contract shape', 'post create_user: creates an end-user'],
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
    failing: ['post get_agents: lists the agents in the contract shape', 'post get_messages: lists the thread oldest first'],
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
    failing: ['rest create_user: a repeated object_id returns the first user', 'post create_message: a repeated object_id returns the first message'],
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
    failing: ['rest get_messages: after_id returns only the later messages', 'post get_messages: after_id returns only the later messages'],
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
    failing: ['rest malformed input: broken JSON is a 4xx problem', 'post malformed input: wrong types are a 4xx problem'],
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

  it.each(BROKEN)('fails the right checks against $name', async ({ rewrite, failing }) => {
    const proxy = await new FlakyProxy(finch.baseUrl, rewrite).start();
    try {
      const report = await runConformance({ baseUrl: `${proxy.url}/api/fin`, variants: ['rest', 'post'], credentials: { kind: 'token', token: finch.token } });
      const failed = report.checks.filter((check) => !check.ok).map((check) => check.name);
      for (const name of failing) expect(failed).toContain(name);
      expect(report.failed).toBe(failed.length);
      // Every failure says why.
      for (const check of report.checks.filter((c) => !c.ok)) expect(check.why).not.toBe('');
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
