/**
 * Fin's side of the protocol: calls a helpdesk's nine endpoints in either variant, with a bearer
 * token and, when a secret is set, request signatures. It speaks only the contract, so it works
 * against any helpdesk. Finch's tests use it, and so do the Fin emulator and the conformance
 * checker.
 */
import { createHmac } from 'node:crypto';
import type { Variant } from '../contract/models.js';
import { operation, type OperationName } from '../contract/operations.js';

export interface FinClientOptions {
  /** The helpdesk's base URL, e.g. `https://helpdesk.example.com/api/fin`. */
  baseUrl: string;
  variant: Variant;
  /** The bearer token, or a function that returns the current one. */
  token?: string | (() => Promise<string> | string);
  /** Sign every request (X-Fin-Request-Timestamp, X-Fin-Signature). */
  signingSecret?: string;
  /** Full URLs of individual operations, overriding baseUrl + the variant's path. */
  endpoints?: Partial<Record<OperationName, string>>;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Abort a call after this many milliseconds. Default 10 s. */
  timeoutMs?: number;
  now?: () => Date;
}

export interface FinResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body (or the raw text when it is not JSON). */
  body: unknown;
  /** The operation's result: the REST body, or `data` of the POST-only envelope. */
  payload: unknown;
  /** The problem object, when the call failed and the helpdesk sent one. */
  problem: Record<string, unknown> | undefined;
  url: string;
  method: string;
}

export class FinClient {
  constructor(readonly options: FinClientOptions) {}

  /** Calls an operation with `input` as Fin would send it in this client's variant. */
  async call(name: OperationName, input: Record<string, unknown> = {}, overrides: CallOverrides = {}): Promise<FinResponse> {
    const { method, url, body } = this.request(name, input);
    return this.send(method, url, body, overrides);
  }

  /** Where and how an operation is called in this variant. */
  request(name: OperationName, input: Record<string, unknown>): { method: string; url: string; body: string | undefined } {
    const op = operation(name);
    const base = this.options.baseUrl.replace(/\/+$/, '');
    if (this.options.variant === 'post') {
      return { method: 'POST', url: this.options.endpoints?.[name] ?? base + op.post.path, body: JSON.stringify(input) };
    }
    const url = this.options.endpoints?.[name] ?? base + op.rest.path;
    if (op.rest.method !== 'GET') return { method: op.rest.method, url, body: JSON.stringify(input) };
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(input)) if (value !== undefined && value !== null) query.set(key, String(value));
    const search = query.toString();
    return { method: 'GET', url: search ? `${url}${url.includes('?') ? '&' : '?'}${search}` : url, body: undefined };
  }

  /** Sends a raw request the way this client would (auth, signing), for tests of odd inputs. */
  async send(method: string, url: string, body: string | undefined, overrides: CallOverrides = {}): Promise<FinResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const token = overrides.token === undefined ? await this.token() : overrides.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (this.options.signingSecret && overrides.sign !== false) {
      Object.assign(headers, signatureHeaders(this.options.signingSecret, body ?? sortedQuery(url), this.options.now?.() ?? new Date()));
    }
    Object.assign(headers, overrides.headers);
    const response = await fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: keep the text, the caller decides whether that is an error.
    }
    const envelope = this.options.variant === 'post' && isRecord(parsed) ? parsed : undefined;
    const problem = response.ok ? undefined : isRecord(envelope?.error) ? envelope.error : isRecord(parsed) ? parsed : undefined;
    return {
      status: response.status,
      headers: response.headers,
      body: parsed,
      payload: envelope ? envelope.data : parsed,
      problem,
      url,
      method,
    };
  }

  private async token(): Promise<string | undefined> {
    const { token } = this.options;
    return typeof token === 'function' ? token() : token;
  }
}

export interface CallOverrides {
  /** Use this token instead (empty string: send none). */
  token?: string;
  /** Set false to send the request unsigned. */
  sign?: boolean;
  headers?: Record<string, string>;
}

/** The signature headers for a payload (the body, or the sorted query of a bodyless request). */
export function signatureHeaders(secret: string, payload: string, now: Date, encoding: 'hex' | 'base64' = 'hex'): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signature = createHmac('sha256', secret).update(`${timestamp}:${payload}`).digest(encoding);
  return { 'x-fin-request-timestamp': timestamp, 'x-fin-signature': signature };
}

/** A URL's query parameters sorted by key, `k1=v1&k2=v2`, values decoded. */
export function sortedQuery(url: string): string {
  const search = new URL(url).searchParams;
  return [...search.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/**
 * One client credentials grant request (RFC 6749 §4.4, client authenticated with HTTP Basic), as
 * Fin makes it: the status and the JSON body, whatever they are. Throws when nothing answers.
 */
export async function requestClientCredentialsToken(
  tokenUrl: string,
  clientId: string,
  clientSecret: string,
  timeoutMs = 10_000,
): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  return { status: response.status, body };
}

/** Fetches an access token with the client credentials grant. */
export async function fetchAccessToken(tokenUrl: string, clientId: string, clientSecret: string): Promise<{ accessToken: string; expiresIn: number }> {
  const { status, body } = await requestClientCredentialsToken(tokenUrl, clientId, clientSecret);
  if (status < 200 || status > 299 || typeof body?.access_token !== 'string') {
    throw new Error(`token request to ${tokenUrl} failed: ${status} ${JSON.stringify(body ?? null)}`);
  }
  return { accessToken: body.access_token, expiresIn: Number(body.expires_in ?? 0) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
