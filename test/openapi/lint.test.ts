/**
 * The OpenAPI document is one that tools accept as it is: every operation has a stable, unique
 * operationId, public endpoints say `security: []`, tags are declared with descriptions, the
 * license is there, and Redocly's recommended rules (redocly.yaml) report nothing. The document
 * linted is the one `npm run openapi` writes, run as a process, and it must be the one served.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutSingleAnyOf } from '../../src/http/openapi.js';
import { startTestFinch, type TestFinch } from '../support/finch.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

type Operation = { operationId?: string; tags?: string[]; security?: unknown[] };
type Doc = { info: { license?: { name: string } }; tags: { name: string; description?: string }[]; paths: Record<string, Record<string, Operation>> };

function operations(doc: Doc): { key: string; operation: Operation }[] {
  return Object.entries(doc.paths).flatMap(([route, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ key: `${method} ${route}`, operation })),
  );
}

describe('the OpenAPI document for tools', () => {
  let finch: TestFinch;
  let served: Doc;
  let dir: string;
  let written: Doc;
  beforeAll(async () => {
    finch = await startTestFinch('sqlite', { publicUrl: 'http://localhost:8080' });
    served = (await (await fetch(`${finch.baseUrl}/openapi.json`)).json()) as Doc;
    dir = mkdtempSync(path.join(os.tmpdir(), 'finch-openapi-test-'));
    await run(bin('tsx'), ['scripts/openapi.ts', '--out', path.join(dir, 'openapi.json'), '--public-url', 'http://localhost:8080'], { cwd: root });
    written = JSON.parse(readFileSync(path.join(dir, 'openapi.json'), 'utf8')) as Doc;
  });
  afterAll(async () => {
    await finch?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is written by `npm run openapi` as the server serves it', () => {
    expect(written).toEqual(served);
  });

  it('gives every operation an operationId, unique, camelCase on the agent API', () => {
    const all = operations(served);
    expect(all.length).toBeGreaterThanOrEqual(69);
    const missing = all.filter(({ operation }) => !operation.operationId).map(({ key }) => key);
    expect(missing).toEqual([]);
    const ids = all.map(({ operation }) => operation.operationId!);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    // The Fin API's ids (rest_get_user, post_create_message, oauth_token) stay as they were.
    for (const { key, operation } of all) {
      if (key.includes(' /api/v1/')) expect(operation.operationId, key).toMatch(/^[a-z]+[A-Za-z]*$/);
    }
    // A few spelled out: renaming one breaks generated clients, so it is a deliberate change here.
    expect(served.paths['/api/v1/conversations']!.get!.operationId).toBe('listConversations');
    expect(served.paths['/api/v1/conversations/{id}/messages']!.post!.operationId).toBe('replyToConversation');
    expect(served.paths['/api/v1/session']!.post!.operationId).toBe('signIn');
    expect(served.paths['/api/fin/user']!.get!.operationId).toBe('rest_get_user');
    expect(served.paths['/oauth/token']!.post!.operationId).toBe('oauth_token');
  });

  it('says which endpoints are public, and asks credentials on every other', () => {
    const publicOnes = operations(served)
      .filter(({ operation }) => Array.isArray(operation.security) && operation.security.length === 0)
      .map(({ key }) => key);
    expect(publicOnes.sort()).toEqual(['post /api/v1/session', 'post /oauth/token']);
    for (const { key, operation } of operations(served)) expect(operation.security, key).toBeDefined();
  });

  it('declares and describes every tag it uses, and carries its license', () => {
    const declared = new Map(served.tags.map((tag) => [tag.name, tag.description]));
    for (const { key, operation } of operations(served)) {
      for (const tag of operation.tags ?? []) expect(declared.has(tag), `${key}: ${tag}`).toBe(true);
    }
    for (const [name, description] of declared) expect(description, name).toBeTruthy();
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { license: string };
    expect(served.info.license?.name).toBe(pkg.license);
  });

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const { stdout, stderr } = await run(bin('redocly'), ['lint', path.join(dir, 'openapi.json'), '--format', 'json'], {
      cwd: root,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout: string; stderr: string }) => error);
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
    expect(
      report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`),
      stderr,
    ).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });
});

describe('withoutSingleAnyOf', () => {
  it('writes a one-member anyOf with annotations as the member, annotated, and leaves the rest', () => {
    const status = {
      anyOf: [
        { type: 'string', enum: ['a'] },
        { type: 'string', enum: ['b'] },
      ],
    };
    expect(withoutSingleAnyOf({ properties: { s: { anyOf: [status], description: 'outer' } } })).toEqual({
      properties: { s: { ...status, description: 'outer' } },
    });
    // The outer description wins over the member's.
    expect(withoutSingleAnyOf({ anyOf: [{ type: 'string', description: 'inner' }], description: 'outer' })).toEqual({ type: 'string', description: 'outer' });
    // Not only annotations beside it, two members, or no object: unchanged.
    const constrained = { anyOf: [{ type: 'string' }], maxLength: 3 };
    expect(withoutSingleAnyOf(constrained)).toEqual(constrained);
    expect(withoutSingleAnyOf(status)).toEqual(status);
    expect(withoutSingleAnyOf({ anyOf: [true] })).toEqual({ anyOf: [true] });
  });
});
