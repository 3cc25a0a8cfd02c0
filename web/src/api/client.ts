/**
 * The agent API as the inbox calls it: JSON over fetch with the session cookie, the CSRF token on
 * every change, and RFC 9457 problems turned into errors whose message is written for the agent
 * (problems.ts). Every call of every resource module (session.ts, conversations.ts, …) goes
 * through `request`, so every answer is handled in this one place.
 */
import type { SessionView } from './types.js';
import { ANOTHER_AGENT, CANNOT_REACH, describeProblem, signedOutNotice, type ProblemBody } from './problems.js';

export class ApiError extends Error {
  constructor(
    /** The HTTP status; 0 when nothing answered. */
    readonly status: number,
    /** What the agent reads (problems.ts). */
    message: string,
    readonly code?: string,
    /** The problem object as Finch sent it, for the members a screen reads (e.g. a 409's `messages`). */
    readonly problem?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
/** The agent this page signed in as: a session renewed in another tab must be theirs to be used. */
let agentId: string | null = null;

/** Who to tell when Finch says the session is gone (App shows the sign-in page with `notice`). */
let signedOutHandler: ((notice: string) => void) | null = null;
export function onSignedOut(handler: ((notice: string) => void) | null): void {
  signedOutHandler = handler;
}

/** The session this page signed in with (session.ts): its CSRF token, and whose it is. */
export function rememberSession(session: SessionView): void {
  csrfToken = session.csrf_token;
  agentId = session.agent.id;
}

/** Signed out: changes carry no CSRF token until the next sign-in. */
export function forgetCsrfToken(): void {
  csrfToken = null;
}

export interface RequestOptions {
  /** Signing in, the session check and signing out: a 401 there is an answer, not a lost session. */
  sessionRoute?: boolean;
  /** Already retried once with a fresh CSRF token. */
  retried?: boolean;
}

/**
 * Every call of the inbox goes through here, so every answer is handled once: a 401 sends the
 * agent back to the sign-in page, a stale CSRF token (the session was renewed in another tab) is
 * refreshed and the call retried once, and every refusal becomes a sentence for the agent.
 */
export async function request<T>(method: string, path: string, body?: unknown, raw?: Blob, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (raw) headers['content-type'] = raw.type || 'application/octet-stream';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
  let response: Response;
  let text: string;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, credentials: 'same-origin', ...(payload === undefined ? {} : { body: payload }) });
    text = await response.text();
  } catch {
    throw new ApiError(0, CANNOT_REACH);
  }
  const parsed = parseJson(text);
  if (response.ok) {
    if (text && parsed === undefined) throw new ApiError(response.status, describeProblem(502, {}, null));
    return parsed as T;
  }
  const problem: ProblemBody = parsed && typeof parsed === 'object' ? (parsed as ProblemBody) : {};
  if (response.status === 401 && !options.sessionRoute) {
    csrfToken = null;
    signedOutHandler?.(signedOutNotice(problem.code));
  }
  if (response.status === 403 && problem.code === 'csrf_failed' && !options.retried && (await refreshCsrfToken())) {
    return request<T>(method, path, body, raw, { ...options, retried: true });
  }
  throw new ApiError(
    response.status,
    describeProblem(response.status, problem, response.headers.get('retry-after')),
    problem.code,
    problem as Record<string, unknown>,
  );
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The session's current CSRF token, after a `csrf_failed`: the cookie now holds a session signed in
 * in another tab. Only when it is the same agent's is the change sent again (the 403 came before
 * anything was done); another agent's session must not act under this page's name, so the page goes
 * back to the sign-in page instead. False when there is no usable session.
 */
async function refreshCsrfToken(): Promise<boolean> {
  let session: SessionView;
  try {
    session = await request<SessionView>('GET', '/session');
  } catch {
    return false;
  }
  if (session.agent.id !== agentId) {
    csrfToken = null;
    signedOutHandler?.(ANOTHER_AGENT);
    return false;
  }
  csrfToken = session.csrf_token;
  return csrfToken !== null;
}

export const query = (params: Record<string, string | number | undefined | null>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};
