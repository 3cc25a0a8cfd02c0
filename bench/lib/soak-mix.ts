/**
 * The soak's mix of work, as a day with Fin looks to Finch: Fin syncing conversations (reads, and
 * the end-users' messages it relays), agents working in the inbox (reading queues and threads,
 * replying, writing notes, tagging), and now and then a new conversation. Every operation is one
 * request; what it answered is an `Outcome`. The helpdesk-side changes (reply, note, tags) each
 * notify Fin, which the soak checks at the end through the outbox.
 */
import type { FinClient } from '../../src/client/fin-client.js';
import type { AgentApiClient } from './agent-api-client.js';
import type { TimedHttpClient } from './http-timer.js';

export interface Outcome {
  /** HTTP status, or 0 when no answer came. */
  status: number;
  ms: number;
  problem?: string;
}

/** A conversation the soak works on, and the newest message Fin knows of (what it syncs after). */
export interface SoakConversation {
  id: string;
  userId: string;
  finKnowsUpTo: string;
}

export interface MixContext {
  fin: FinClient;
  /** GETs as Fin (its bearer token). */
  finReads: TimedHttpClient;
  /** GETs as an agent (a personal token). */
  agentReads: TimedHttpClient;
  agentWrites: AgentApiClient;
  conversations: SoakConversation[];
}

type Operation = (context: MixContext, conversation: SoakConversation, sequence: number) => Promise<Outcome>;

const enc = encodeURIComponent;

const read = async (client: TimedHttpClient, path: string): Promise<Outcome> => {
  try {
    const answer = await client.get(path);
    const ok = answer.status >= 200 && answer.status < 300;
    return { status: answer.status, ms: answer.ms, ...(ok ? {} : { problem: answer.body.toString().slice(0, 300) }) };
  } catch (error) {
    return { status: 0, ms: 0, problem: (error as Error).message };
  }
};

const write = async (client: AgentApiClient, method: 'POST' | 'PATCH', path: string, body: unknown): Promise<Outcome> => {
  const answer = await client.send(method, path, body);
  return { status: answer.status, ms: answer.answeredAt - answer.sentAt, ...(answer.problem === undefined ? {} : { problem: answer.problem }) };
};

/** A Fin API call that writes, timed; `onAnswer` gets the payload of a success. */
const finCall = async (fin: FinClient, name: 'create_message' | 'create_conversation' | 'create_user', input: Record<string, unknown>) => {
  const started = performance.now();
  try {
    const response = await fin.call(name, input);
    const ms = performance.now() - started;
    const ok = response.status >= 200 && response.status < 300;
    return {
      outcome: { status: response.status, ms, ...(ok ? {} : { problem: JSON.stringify(response.body).slice(0, 300) }) },
      payload: ok ? response.payload : undefined,
    };
  } catch (error) {
    return { outcome: { status: 0, ms: performance.now() - started, problem: (error as Error).message }, payload: undefined };
  }
};

const BODY = 'When I open Billing and press Export, nothing is downloaded. I tried another browser and cleared the cache.';

/** Each operation with its share of the mix (weights; they need not sum to 100). */
export const MIX: readonly { name: string; weight: number; run: Operation }[] = [
  { name: 'fin get_conversation', weight: 18, run: (c, conv) => read(c.finReads, `/api/fin/conversation?conversation_id=${enc(conv.id)}`) },
  {
    name: 'fin get_messages after_id',
    weight: 15,
    run: (c, conv) => read(c.finReads, `/api/fin/messages?conversation_id=${enc(conv.id)}&after_id=${enc(conv.finKnowsUpTo)}`),
  },
  {
    name: 'fin create_message (end-user)',
    weight: 10,
    run: async (c, conv, sequence) => {
      const { outcome, payload } = await finCall(c.fin, 'create_message', {
        conversation_id: conv.id,
        body: `<p>${sequence}: ${BODY}</p>`,
        author: { id: conv.userId, user_type: 'end_user' },
      });
      const id = (payload as { id?: string } | undefined)?.id;
      if (id) conv.finKnowsUpTo = id;
      return outcome;
    },
  },
  { name: 'inbox list', weight: 8, run: (c) => read(c.agentReads, '/api/v1/conversations?queue=all&limit=25') },
  { name: 'inbox counts', weight: 5, run: (c) => read(c.agentReads, '/api/v1/conversations/counts') },
  { name: 'inbox open', weight: 14, run: (c, conv) => read(c.agentReads, `/api/v1/conversations/${enc(conv.id)}`) },
  {
    name: 'agent note',
    weight: 12,
    run: (c, conv, sequence) =>
      write(c.agentWrites, 'POST', `/conversations/${enc(conv.id)}/messages`, { body: `<p>Note ${sequence}</p>`, visibility: 'private' }),
  },
  {
    name: 'agent reply',
    weight: 6,
    run: (c, conv, sequence) =>
      write(c.agentWrites, 'POST', `/conversations/${enc(conv.id)}/messages`, { body: `<p>Reply ${sequence}</p>`, visibility: 'public' }),
  },
  {
    name: 'agent tags',
    weight: 8,
    run: (c, conv, sequence) => write(c.agentWrites, 'PATCH', `/conversations/${enc(conv.id)}`, { tags: ['soak', `t${sequence}`] }),
  },
  {
    name: 'fin create_conversation',
    weight: 1,
    run: async (c, _conv, sequence) => {
      const started = performance.now();
      const created = await startConversation(c.fin, sequence);
      if ('problem' in created) return { status: created.status, ms: performance.now() - started, problem: created.problem };
      c.conversations.push(created);
      return { status: 201, ms: performance.now() - started };
    },
  },
];

const TOTAL_WEIGHT = MIX.reduce((total, operation) => total + operation.weight, 0);

/** How long an operation may take before it counts as failed (status 0): a soak must see a hung request. */
export const OPERATION_TIMEOUT_MS = 30_000;

/** `operation`'s outcome, or status 0 "timed out" after OPERATION_TIMEOUT_MS; never rejects. */
export function settle(operation: Promise<Outcome>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ status: 0, ms: OPERATION_TIMEOUT_MS, problem: `no answer in ${OPERATION_TIMEOUT_MS / 1000} s` }), OPERATION_TIMEOUT_MS);
  });
  const answered = operation.catch((error: unknown) => ({ status: 0, ms: 0, problem: (error as Error).message }));
  return Promise.race([answered, timeout]).finally(() => clearTimeout(timer));
}

/** The operation for a draw in [0, 1). */
export function pick(random: () => number): (typeof MIX)[number] {
  let left = random() * TOTAL_WEIGHT;
  for (const operation of MIX) {
    left -= operation.weight;
    if (left < 0) return operation;
  }
  return MIX.at(-1)!;
}

/** An end-user and a conversation through the Fin API, as Fin starts one. */
export async function startConversation(fin: FinClient, sequence: number): Promise<SoakConversation | { status: number; problem: string }> {
  const user = await finCall(fin, 'create_user', { name: `Soak user ${sequence}`, email: `soak-${sequence}@example.test` });
  const userId = (user.payload as { id?: string } | undefined)?.id;
  if (!userId) return { status: user.outcome.status, problem: user.outcome.problem ?? 'create_user gave no id' };
  const created = await finCall(fin, 'create_conversation', {
    title: `Soak ${sequence}`,
    user_id: userId,
    initial_message: { body: `<p>${BODY}</p>`, author: { id: userId, user_type: 'end_user' } },
  });
  const payload = created.payload as { conversation?: { id: string }; message?: { id: string } } | undefined;
  if (!payload?.conversation) return { status: created.outcome.status, problem: created.outcome.problem ?? 'create_conversation gave no conversation' };
  let messages: Awaited<ReturnType<FinClient['call']>>;
  try {
    messages = await fin.call('get_messages', { conversation_id: payload.conversation.id });
  } catch (error) {
    return { status: 0, problem: (error as Error).message };
  }
  const first = (messages.payload as { id: string }[] | undefined)?.[0]?.id;
  if (!first) return { status: messages.status, problem: 'the new conversation has no message' };
  return { id: payload.conversation.id, userId, finKnowsUpTo: first };
}
