/**
 * Writes to a running `finch` process while its database goes away: Fin mirrors messages, agents
 * add notes, in parallel loops, and every answer is kept with what a client needs to judge it (the
 * status, `Retry-After`, the content type and the problem's code), or the network error if the
 * connection broke. A 2xx carries the id of what was written, to look for it afterwards.
 */
import { expect } from 'vitest';
import { fetchAccessToken } from '../../src/client/fin-client.js';
import { AgentClient } from '../support/agent-client.js';
import { runFinch } from '../support/process.js';

export const PASSWORD = 'correct horse battery staple';

export interface Answer {
  what: 'fin message' | 'agent note' | 'health';
  /** The HTTP status, or 0 when no answer came (the connection was refused or broke). */
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  code: string | undefined;
  /** The id of what a 2xx created. */
  id: string | undefined;
  networkError: string | undefined;
  /** When the answer came (ms since the load started). */
  at: number;
}

export interface Actors {
  finToken: string;
  agent: AgentClient;
  userId: string;
  conversationIds: string[];
}

/** Creates an admin and an OAuth client with the CLI, before the server starts. */
export async function createAccounts(env: Record<string, string | undefined>): Promise<{ clientId: string; clientSecret: string }> {
  const agent = await runFinch(['create-agent', '--name', 'Ops', '--email', 'ops@example.com', '--password', PASSWORD, '--role', 'admin', '--json'], env);
  expect(agent.code, agent.stderr).toBe(0);
  const client = await runFinch(['create-client', '--json'], env);
  expect(client.code, client.stderr).toBe(0);
  const { client_id: clientId, client_secret: clientSecret } = JSON.parse(client.stdout) as { client_id: string; client_secret: string };
  return { clientId, clientSecret };
}

/** Signs in Fin and the agent, and starts `conversations` conversations to write to. */
export async function prepareActors(baseUrl: string, client: { clientId: string; clientSecret: string }, conversations = 2): Promise<Actors> {
  const { accessToken } = await fetchAccessToken(`${baseUrl}/oauth/token`, client.clientId, client.clientSecret);
  const agent = await AgentClient.signIn(baseUrl, 'ops@example.com', PASSWORD);
  const user = await finPost(baseUrl, accessToken, '/user', { name: 'Ada', object_id: `ada-${Date.now()}` });
  expect(user.status).toBe(201);
  const userId = ((await user.json()) as { id: string }).id;
  const conversationIds: string[] = [];
  for (let i = 0; i < conversations; i++) {
    const created = await finPost(baseUrl, accessToken, '/conversation', {
      user_id: userId,
      initial_message: { body: `Help ${i}`, author: { id: userId, user_type: 'end_user' } },
    });
    expect(created.status).toBe(201);
    conversationIds.push(((await created.json()) as { conversation: { id: string } }).conversation.id);
  }
  return { finToken: accessToken, agent, userId, conversationIds };
}

function finPost(baseUrl: string, token: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}/api/fin${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** What `send` was answered, as an `Answer`; a connection refused or broken is status 0, not an error. */
export async function answerOf(what: Answer['what'], started: number, send: () => Promise<Response>): Promise<Answer> {
  try {
    const response = await send();
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Not JSON: the checks below say so through `code` and the content type.
    }
    const ok = response.status >= 200 && response.status < 300;
    return {
      what,
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type'),
      code: typeof body.code === 'string' ? body.code : undefined,
      id: ok && typeof body.id === 'string' ? body.id : undefined,
      networkError: undefined,
      at: performance.now() - started,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      what,
      status: 0,
      retryAfter: null,
      contentType: null,
      code: undefined,
      id: undefined,
      networkError: cause?.code ?? cause?.message ?? String(error),
      at: performance.now() - started,
    };
  }
}

export interface Load {
  answers: Answer[];
  /** ms since the load started. */
  now: () => number;
  stop: () => Promise<void>;
}

/**
 * `loops` loops per kind of write, each sending its next request when the last was answered (a 503
 * is followed by a 50 ms pause, as a client honouring Retry-After loosely would), and /health
 * every 100 ms, until `stop`.
 */
export function startLoad(baseUrl: string, actors: Actors, loops = 3): Load {
  const started = performance.now();
  const answers: Answer[] = [];
  let running = true;
  let n = 0;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const loop = async (index: number, write: (i: number) => Promise<Answer>) => {
    while (running) {
      const answer = await write(n++);
      answers.push(answer);
      if (answer.status !== 201) await pause(50);
      void index;
    }
  };
  const conversationOf = (i: number) => actors.conversationIds[i % actors.conversationIds.length]!;
  const finMessage = (i: number) =>
    answerOf('fin message', started, () =>
      finPost(baseUrl, actors.finToken, '/messages', {
        conversation_id: conversationOf(i),
        body: `Message ${i}`,
        author: { id: actors.userId, user_type: 'end_user' },
      }),
    );
  const agentNote = (i: number) =>
    answerOf('agent note', started, () =>
      fetch(`${baseUrl}/api/v1/conversations/${conversationOf(i)}/messages`, {
        method: 'POST',
        headers: { ...actors.agent.authHeaders(), 'x-csrf-token': actors.agent.csrfToken ?? '', 'content-type': 'application/json' },
        body: JSON.stringify({ body: `Note ${i}`, visibility: 'private' }),
      }),
    );
  const health = async () => {
    while (running) {
      answers.push(await answerOf('health', started, () => fetch(`${baseUrl}/health`)));
      await pause(100);
    }
  };
  const all = [...Array.from({ length: loops }, (_, i) => loop(i, finMessage)), ...Array.from({ length: loops }, (_, i) => loop(i, agentNote)), health()];
  return {
    answers,
    now: () => performance.now() - started,
    stop: async () => {
      running = false;
      await Promise.all(all);
    },
  };
}

/** Every answer is a 2xx, or a 503 problem with Retry-After: never a 500, never a broken connection. */
export function expectOnlySuccessOr503(answers: Answer[]): void {
  const bad = answers
    .filter((answer) => answer.what !== 'health' && !(answer.status >= 200 && answer.status < 300))
    .filter(
      (answer) =>
        !(
          answer.status === 503 &&
          answer.retryAfter !== null &&
          Number(answer.retryAfter) > 0 &&
          answer.contentType?.startsWith('application/problem+json') &&
          answer.code === 'database_unavailable'
        ),
    );
  expect(bad.slice(0, 5), `${bad.length} answers were neither 2xx nor a 503 problem with Retry-After`).toEqual([]);
  const health = answers.filter((answer) => answer.what === 'health');
  expect(health.filter((answer) => answer.status !== 200 && answer.status !== 503).slice(0, 5)).toEqual([]);
}

export interface Summary {
  writes: number;
  succeeded: number;
  unavailable: number;
  /** From the first 503 to the first write that succeeded after the last one (ms), if any 503. */
  outageMs: number | undefined;
  healthUnavailable: number;
}

export function summarize(answers: Answer[]): Summary {
  const writes = answers.filter((answer) => answer.what !== 'health');
  const refused = writes.filter((answer) => answer.status === 503);
  const firstRefused = Math.min(...refused.map((answer) => answer.at));
  const lastRefused = Math.max(...refused.map((answer) => answer.at));
  const back = writes.filter((answer) => answer.status >= 200 && answer.status < 300 && answer.at > lastRefused).map((answer) => answer.at);
  return {
    writes: writes.length,
    succeeded: writes.filter((answer) => answer.status >= 200 && answer.status < 300).length,
    unavailable: refused.length,
    outageMs: refused.length > 0 && back.length > 0 ? Math.round(Math.min(...back) - firstRefused) : undefined,
    healthUnavailable: answers.filter((answer) => answer.what === 'health' && answer.status === 503).length,
  };
}

/** The ids of the writes that were acknowledged (answered 2xx). */
export function acknowledged(answers: Answer[]): string[] {
  return answers.filter((answer) => answer.id !== undefined).map((answer) => answer.id!);
}
