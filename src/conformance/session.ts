/**
 * One variant's conversation with the helpdesk under check: calls through Fin's own client (so
 * requests look exactly like Fin's, signed when a secret is set) and judges the answers against
 * the contract: status code, schema, problem shape.
 */
import type { CallOverrides, FinClient, FinResponse } from '../client/fin-client.js';
import type { Variant } from '../contract/models.js';
import { operation, type OperationName } from '../contract/operations.js';
import { describeErrors, problemValidator, successValidator } from './contract-validator.js';
import { fail, type Recorder } from './recorder.js';

export class Session {
  constructor(
    /** Fin's own client for one variant, with the token (and the signing secret) to use. */
    readonly client: FinClient,
    private readonly recorder: Recorder,
  ) {}

  get variant(): Variant {
    return this.client.options.variant;
  }

  /** Calls an operation as Fin would; no answer at all fails the check. */
  async call(name: OperationName, input: Record<string, unknown> = {}, overrides: CallOverrides = {}): Promise<FinResponse> {
    const { method, url, body } = this.client.request(name, input);
    return this.send(name, method, url, body, overrides);
  }

  /** Sends a raw request to an operation's URL (for malformed input). */
  async send(name: OperationName, method: string, url: string, body: string | undefined, overrides: CallOverrides = {}): Promise<FinResponse> {
    const started = performance.now();
    let response: FinResponse;
    try {
      response = await this.client.send(method, url, body, overrides);
    } catch (error) {
      fail(`${name}: no answer from ${method} ${url}: ${(error as Error).message}`);
    }
    this.recorder.lastSeen = `${name} ${response.status} in ${Math.round(performance.now() - started)} ms`;
    return response;
  }

  /**
   * A successful answer: the variant's status code (a replayed create may also answer 200) and a
   * body in the contract's shape. Returns the payload.
   */
  expectSuccess<T = Record<string, unknown>>(name: OperationName, response: FinResponse, { replay = false } = {}): T {
    const op = operation(name);
    const expected = this.variant === 'rest' ? op.rest.status : 200;
    const allowed = replay ? [expected, 200] : [expected];
    if (!allowed.includes(response.status)) fail(`${name} answered ${response.status} instead of ${expected}${excerpt(response)}`);
    const validate = successValidator(name, this.variant);
    if (!validate(response.body)) {
      fail(`${name}: the answer is not the contract's ${this.variant === 'post' ? 'envelope and ' : ''}shape: ${describeErrors(validate.errors)}`);
    }
    return response.payload as T;
  }

  /** A refusal: one of the allowed statuses, with a problem in the variant's form. */
  expectProblem(name: OperationName, response: FinResponse, allowed: (status: number) => boolean, wanted: string): void {
    if (response.status >= 500) fail(`${name} answered ${response.status} (a server error) instead of ${wanted}${excerpt(response)}`);
    if (!allowed(response.status)) fail(`${name} answered ${response.status} instead of ${wanted}${excerpt(response)}`);
    const type = response.headers.get('content-type') ?? '';
    if (this.variant === 'rest' && !type.startsWith('application/problem+json')) {
      fail(`${name} answered ${response.status} with content-type "${type}" instead of application/problem+json`);
    }
    const validate = problemValidator(this.variant);
    if (!validate(response.body)) fail(`${name} answered ${response.status} without a problem object: ${describeErrors(validate.errors)}`);
    if (response.problem?.status !== response.status)
      fail(`${name}: the problem's status ${String(response.problem?.status)} is not the HTTP status ${response.status}`);
  }
}

export const isStatus =
  (...statuses: number[]) =>
  (status: number) =>
    statuses.includes(status);
export const isClientError = (status: number) => status >= 400 && status < 500;

function excerpt(response: FinResponse): string {
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? null);
  return text ? `: ${text.length > 160 ? `${text.slice(0, 157)}…` : text}` : '';
}
