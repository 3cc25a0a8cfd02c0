/**
 * The OpenAPI 3.1 document at /openapi.json describes both variants and the token endpoint, from
 * the same schemas the server validates and serializes with; /docs renders it.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { addFormats } from '../src/lib/ajv-formats.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../src/contract/operations.js';
import { startTestFinch, type TestFinch } from './support/finch.js';

describe('the OpenAPI document', () => {
  let finch: TestFinch;
  let doc: any;
  beforeAll(async () => {
    finch = await startTestFinch('memory');
    doc = await (await fetch(`${finch.baseUrl}/openapi.json`)).json();
  });
  afterAll(() => finch?.close());

  it('is OpenAPI 3.1 with every operation of both variants and the token endpoint', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const op of OPERATIONS) {
      const rest = doc.paths[`/api/fin${op.rest.path}`]?.[op.rest.method.toLowerCase()];
      expect(rest?.operationId, op.name).toBe(`rest_${op.name}`);
      expect(Object.keys(rest.responses)).toEqual([String(op.rest.status), '4XX', '5XX']);
      const post = doc.paths[`/api/fin${op.post.path}`]?.post;
      expect(post?.operationId, op.name).toBe(`post_${op.name}`);
      expect(Object.keys(post.responses)).toEqual(['200', '4XX', '5XX']);
      expect(post.security).toEqual([{ bearer: [] }]);
    }
    expect(doc.paths['/oauth/token'].post.operationId).toBe('oauth_token');
    // Routes that only say "method not allowed", health and docs stay out of it.
    expect(Object.keys(doc.paths).sort()).toEqual(
      [...new Set(['/oauth/token', ...OPERATIONS.flatMap((op) => [`/api/fin${op.rest.path}`, `/api/fin${op.post.path}`])])].sort(),
    );
  });

  it('holds schemas that compile as JSON Schema 2020-12', () => {
    // The formats the contract names (date-time, uri, email) must be known, not skipped.
    const ajv = addFormats(new Ajv2020({ strict: 'log', strictTypes: false }));
    for (const [path, methods] of Object.entries<any>(doc.paths)) {
      for (const [method, operation] of Object.entries<any>(methods)) {
        for (const response of Object.values<any>(operation.responses)) {
          for (const media of Object.values<any>(response.content ?? {})) expect(() => ajv.compile(media.schema), `${method} ${path}`).not.toThrow();
        }
      }
    }
  });

  it('is rendered as a reference page at /docs', async () => {
    const page = await fetch(`${finch.baseUrl}/docs/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const config = await fetch(`${finch.baseUrl}/docs/json`);
    expect(((await config.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });
});

describe('the OpenAPI document with the helpdesk side', () => {
  let finch: TestFinch;
  let doc: any;
  beforeAll(async () => {
    finch = await startTestFinch('sqlite');
    doc = await (await fetch(`${finch.baseUrl}/openapi.json`)).json();
  });
  afterAll(() => finch?.close());

  it('describes every route of the agent API', () => {
    const routes = [
      'post /api/v1/session',
      'get /api/v1/session',
      'delete /api/v1/session',
      'post /api/v1/me/password',
      'get /api/v1/conversations',
      'get /api/v1/conversations/counts',
      'get /api/v1/conversations/{id}',
      'get /api/v1/conversations/{id}/messages',
      'post /api/v1/conversations/{id}/messages',
      'patch /api/v1/conversations/{id}',
      'post /api/v1/conversations/{id}/takeover',
      'post /api/v1/conversations/{id}/handback',
      'post /api/v1/conversations/{id}/typing',
      'get /api/v1/events',
      'patch /api/v1/users/{id}',
      'get /api/v1/deliveries',
      'post /api/v1/deliveries/{id}/replay',
      'post /api/v1/deliveries/replay',
      'get /api/v1/settings/fin',
      'put /api/v1/settings/fin',
      'get /api/v1/settings/fin/signature-report',
      'get /api/v1/agents',
      'post /api/v1/agents',
      'patch /api/v1/agents/{id}',
      'get /api/v1/tokens',
      'post /api/v1/tokens',
      'delete /api/v1/tokens/{id}',
      'get /api/v1/oauth-clients',
      'post /api/v1/oauth-clients',
      'delete /api/v1/oauth-clients/{id}',
    ];
    for (const route of routes) {
      const [method, path] = route.split(' ') as [string, string];
      const operation = doc.paths[path]?.[method];
      expect(operation, route).toBeDefined();
      expect(operation.responses['4XX'], route).toBeDefined();
      expect(operation.tags[0], route).toMatch(/^Agent API/);
    }
    expect(Object.keys(doc.paths['/api/v1/events'].get.responses['200'].content)).toEqual(['text/event-stream']);
    expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'finch_session' });
  });
});
