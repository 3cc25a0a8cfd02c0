/**
 * One variant's conversation with the helpdesk under check: calls through Fin's own client (so
 * requests look exactly like Fin's, signed when a secret is set) and judges the answers against
 * the contract: status code and documented shape (required), and notes what only Finch's reading
 * asks (no undeclared keys, Finch's problem form) for the recommended checks of the variant.
 */
import type { CallOverrides, FinClient, FinResponse } from '../client/fin-client.js';
import type { Variant } from '../contract/models.js';
import { operation, type OperationName } from '../contract/operations.js';
import { describeErrors, problemValidator, successValidator, undeclaredKeys } from './contract-validator.js';
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
    this.answered++;
    return response;
  }

  /** How many answers came at all (the recommended form checks judge nothing without one). */
  answered = 0;
  /** Keys the answers had beyond the contract's, as `operation: /path` (a recommended check lists them). */
  readonly undeclared = new Set<string>();
  /** How refusals strayed from Finch's problem form (spec §6, a recommended check lists them). */
  readonly problemNotes: string[] = [];

  /**
   * A successful answer: the variant's status code (a replayed create may also answer 200) and a
   * body in the documented shape (extra keys are noted, not failed). Returns the payload.
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
    for (const key of undeclaredKeys(name, this.variant, response.body)) this.undeclared.add(`${name}: ${key || '/'}`);
    return response.payload as T;
  }

  /**
   * A refusal. Required: one of the allowed statuses (never a 5xx); in the POST-only variant a 200
   * whose `error` is set counts too, unless `realStatus` (Fin acts on the status itself, e.g. a 401
   * makes it fetch a new token). Finch's form of it (spec §6: that status, a problem object whose
   * `status` is the HTTP status, `application/problem+json` in REST) is noted for a recommended check.
   */
  expectProblem(name: OperationName, response: FinResponse, allowed: (status: number) => boolean, wanted: string, { realStatus = false } = {}): void {
    if (response.status >= 500) fail(`${name} answered ${response.status} (a server error) instead of ${wanted}${excerpt(response)}`);
    const enveloped200 = this.variant === 'post' && response.status === 200 && isErrorEnvelope(response.body);
    if (!allowed(response.status) && !(enveloped200 && !realStatus)) fail(`${name} answered ${response.status} instead of ${wanted}${excerpt(response)}`);
    const note = (what: string) => this.problemNotes.push(`${name} ${response.status}: ${what}`);
    if (enveloped200) {
      note(`a 200 with "error" instead of ${wanted}`);
      return;
    }
    const type = response.headers.get('content-type') ?? '';
    if (this.variant === 'rest' && !type.startsWith('application/problem+json')) note(`content-type "${type}", not application/problem+json`);
    const validate = problemValidator(this.variant);
    if (!validate(response.body)) note(`no problem object (${describeErrors(validate.errors, 1)})`);
    else if (response.problem?.status !== response.status) note(`the problem's status ${String(response.problem?.status)} is not the HTTP status`);
  }
}

/** `{"error": <anything but null>}`: the POST-only variant's failure, whatever its status. */
function isErrorEnvelope(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && (body as { error?: unknown }).error != null;
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
