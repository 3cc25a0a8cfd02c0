/**
 * The agent API as the inbox calls it: JSON over fetch with the session cookie, the CSRF token on
 * every change, and RFC 9457 problems turned into errors whose message is written for the agent
 * (src/problems.ts). The shapes are
 * the server's own (src/contract/agent-api.ts), imported as types only.
 */
import type {
  AgentView,
  ClientView as ClientViewSchema,
  ConversationPatch,
  ConversationView,
  DeliveryView as DeliveryViewSchema,
  EndUserPatch,
  EndUserView,
  FinSettingsInput,
  FinSettingsView,
  MessageView,
  NewAgentInput,
  Queue,
  ReplyInput,
  SessionView,
  TokenView as TokenViewSchema,
} from '../../../src/contract/agent-api.js';
import type { CannedReplyView, NewCannedReplyInput } from '../../../src/contract/canned-replies.js';
import type { Static } from 'typebox';
import { ANOTHER_AGENT, CANNOT_REACH, describeProblem, signedOutNotice, type ProblemBody } from './problems.js';

export type { CannedReplyView };
export type { AgentView, ConversationView, EndUserView, FinSettingsView, MessageView, Queue, SessionView };
export type DeliveryView = Static<typeof DeliveryViewSchema>;
export type TokenView = Static<typeof TokenViewSchema>;
export type ClientView = Static<typeof ClientViewSchema>;
export type QueueCounts = Record<'waiting' | 'mine' | 'fin' | 'others' | 'all', number>;
export interface ConversationDetail {
  conversation: ConversationView;
  user: EndUserView;
  messages: MessageView[];
}
export interface Page<T> {
  items: T[];
  next: string | null;
}

export class ApiError extends Error {
  constructor(
    /** The HTTP status; 0 when nothing answered. */
    readonly status: number,
    /** What the agent reads (src/problems.ts). */
    message: string,
    readonly code?: string,
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

interface RequestOptions {
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
async function request<T>(method: string, path: string, body?: unknown, raw?: Blob, options: RequestOptions = {}): Promise<T> {
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
  throw new ApiError(response.status, describeProblem(response.status, problem, response.headers.get('retry-after')), problem.code);
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

const query = (params: Record<string, string | number | undefined | null>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

export const api = {
  async session(): Promise<SessionView | null> {
    try {
      const session = await request<SessionView>('GET', '/session', undefined, undefined, { sessionRoute: true });
      csrfToken = session.csrf_token;
      agentId = session.agent.id;
      return session;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  },
  async signIn(email: string, password: string): Promise<SessionView> {
    const session = await request<SessionView>('POST', '/session', { email, password }, undefined, { sessionRoute: true });
    csrfToken = session.csrf_token;
    agentId = session.agent.id;
    return session;
  },
  async signOut(): Promise<void> {
    try {
      await request('DELETE', '/session', undefined, undefined, { sessionRoute: true });
    } finally {
      csrfToken = null;
    }
  },

  /** Changes the signed-in agent's password: 204; 403 wrong_password; 422 weak_password with a detail to show. */
  changePassword: (currentPassword: string, newPassword: string) => request<void>('POST', '/me/password', { current_password: currentPassword, new_password: newPassword }),

  counts: () => request<QueueCounts>('GET', '/conversations/counts'),
  async conversations(params: { queue: Queue; status?: string; tag?: string; q?: string; cursor?: string | null; limit?: number }): Promise<Page<ConversationView>> {
    const page = await request<{ conversations: ConversationView[]; next_cursor: string | null }>('GET', `/conversations${query(params)}`);
    return { items: page.conversations, next: page.next_cursor };
  },
  conversation: (id: string) => request<ConversationDetail>('GET', `/conversations/${encodeURIComponent(id)}`),
  reply: (id: string, input: ReplyInput) => request<MessageView>('POST', `/conversations/${encodeURIComponent(id)}/messages`, input),
  patch: (id: string, patch: ConversationPatch) => request<ConversationView>('PATCH', `/conversations/${encodeURIComponent(id)}`, patch),
  takeover: (id: string) => request<ConversationView>('POST', `/conversations/${encodeURIComponent(id)}/takeover`),
  handback: (id: string) => request<ConversationView>('POST', `/conversations/${encodeURIComponent(id)}/handback`),
  resync: (id: string) => request<{ queued: boolean }>('POST', `/conversations/${encodeURIComponent(id)}/resync`),
  typing: (id: string) => request<{ sent: boolean }>('POST', `/conversations/${encodeURIComponent(id)}/typing`),
  /** Uploads a file for a reply; the answer's url is signed and HTTPS (Finch needs an HTTPS public URL). */
  upload: (file: File) => request<{ url: string; filename: string; filetype: string }>('POST', `/attachments${query({ filename: file.name })}`, undefined, file),
  patchUser: (id: string, patch: EndUserPatch) => request<EndUserView>('PATCH', `/users/${encodeURIComponent(id)}`, patch),

  cannedReplies: () => request<CannedReplyView[]>('GET', '/canned-replies'),
  createCannedReply: (input: NewCannedReplyInput) => request<CannedReplyView>('POST', '/canned-replies', input),
  updateCannedReply: (id: string, input: Partial<NewCannedReplyInput>) => request<CannedReplyView>('PATCH', `/canned-replies/${encodeURIComponent(id)}`, input),
  deleteCannedReply: (id: string) => request('DELETE', `/canned-replies/${encodeURIComponent(id)}`),

  agents: () => request<AgentView[]>('GET', '/agents'),
  createAgent: (input: NewAgentInput) => request<{ agent: AgentView; password?: string }>('POST', '/agents', input),
  patchAgent: (id: string, patch: Record<string, unknown>) => request<AgentView>('PATCH', `/agents/${encodeURIComponent(id)}`, patch),
  tokens: () => request<TokenView[]>('GET', '/tokens'),
  createToken: (name: string, scope: 'agent' | 'fin') => request<{ token: string }>('POST', '/tokens', { name, scope }),
  revokeToken: (id: string) => request('DELETE', `/tokens/${encodeURIComponent(id)}`),
  clients: () => request<ClientView[]>('GET', '/oauth-clients'),
  createClient: (name: string) => request<{ client_id: string; client_secret: string }>('POST', '/oauth-clients', { name }),
  revokeClient: (id: string) => request('DELETE', `/oauth-clients/${encodeURIComponent(id)}`),
  finSettings: () => request<FinSettingsView>('GET', '/settings/fin'),
  saveFinSettings: (input: FinSettingsInput) => request<FinSettingsView>('PUT', '/settings/fin', input),
  async deliveries(params: { cursor?: string | null; conversation_id?: string; outcome?: string }): Promise<Page<DeliveryView>> {
    const page = await request<{ deliveries: DeliveryView[]; next_cursor: string | null }>('GET', `/deliveries${query({ limit: 50, ...params })}`);
    return { items: page.deliveries, next: page.next_cursor };
  },
  replay: (deliveryId: string) => request('POST', `/deliveries/${encodeURIComponent(deliveryId)}/replay`),
};
