/**
 * Helpers for contract tests: call an operation, check the status the variant promises and the
 * shape the served OpenAPI document promises, and hand back the payload.
 */
import { expect } from 'vitest';
import type { FinClient, FinResponse } from '../../src/client/fin-client.js';
import { operation, type OperationName } from '../../src/contract/operations.js';
import type { OpenApiValidator } from './openapi.js';

export interface ContractCaller {
  client: FinClient;
  openapi: OpenApiValidator;
}

/** Validates any response (success or problem) against the OpenAPI document. */
export function expectDocumented(openapi: OpenApiValidator, response: FinResponse): void {
  const path = new URL(response.url).pathname;
  openapi.expectValid(path, response.method, response.status, response.headers.get('content-type'), response.body);
}

/** Calls an operation that must succeed; returns its payload (unwrapped in the POST-only variant). */
export async function ok<T = any>({ client, openapi }: ContractCaller, name: OperationName, input: Record<string, unknown> = {}): Promise<T> {
  const response = await client.call(name, input);
  const op = operation(name);
  const expected = client.options.variant === 'rest' ? op.rest.status : 200;
  if (response.status !== expected) {
    throw new Error(`${name} answered ${response.status}, expected ${expected}: ${JSON.stringify(response.body)}`);
  }
  expectDocumented(openapi, response);
  if (client.options.variant === 'post') expect(response.body).toMatchObject({ error: null });
  return response.payload as T;
}

/** Calls an operation that must fail with `status`; returns the problem object. */
export async function fails(
  { client, openapi }: ContractCaller,
  name: OperationName,
  input: Record<string, unknown>,
  status: number,
  code?: string,
): Promise<Record<string, unknown>> {
  const response = await client.call(name, input);
  if (response.status !== status) {
    throw new Error(`${name} answered ${response.status}, expected ${status}: ${JSON.stringify(response.body)}`);
  }
  expectDocumented(openapi, response);
  expectProblem(response, status, code);
  return response.problem!;
}

/** The response carries a problem object in the variant's form. */
export function expectProblem(response: FinResponse, status: number, code?: string): void {
  const variant = response.url.includes('/api/fin/') && /\/api\/fin\/(get|create|update)_/.test(new URL(response.url).pathname) ? 'post' : 'rest';
  if (variant === 'post') {
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toMatchObject({ data: null });
  } else {
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  }
  expect(response.problem).toMatchObject({ type: 'about:blank', status, title: expect.any(String) });
  if (code) expect(response.problem?.code).toBe(code);
}

/**
 * Sends a request that must be refused with `status` and `code`, naming exactly one offending
 * field at `pointer`, as a problem (enveloped on the POST-only variant), and change nothing:
 * `dump` (TestFinch's) reads the same before and after.
 */
export async function expectRefusedAt(
  dump: () => Promise<string>,
  send: () => Promise<FinResponse | { status: number; body: unknown; headers: Headers }>,
  expected: { status: number; code: string; pointer: string },
): Promise<void> {
  const before = await dump();
  const response = await send();
  const problem = ('problem' in response ? response.problem : response.body) as { code?: string; errors?: { pointer: string }[] } | undefined;
  if (response.status !== expected.status) {
    throw new Error(`expected ${expected.status} at ${expected.pointer}, got ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
  }
  expect(problem?.code).toBe(expected.code);
  expect(problem?.errors).toEqual([{ pointer: expected.pointer, detail: expect.any(String) }]);
  if ('problem' in response) expectProblem(response, expected.status, expected.code);
  else expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(await dump()).toBe(before);
}
