/**
 * The emulator's HTTP side: the messenger page and its JSON API, Fin's webhook receiver, and the
 * error log (page and JSON), like Fin's "Error logs".
 */
import { Value } from 'typebox/value';
import { WEBHOOK_PATH_PREFIX, WebhookEvent } from '../contract/webhooks.js';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import Type from 'typebox';
import { safeEqual } from '../domain/auth/secrets.js';
import { closeGracefully } from '../http/graceful-close.js';
import { useJsonBodies } from '../http/json-body.js';
import { HttpProblem, problemFromError } from '../http/problem.js';
import { HTTP_TIMEOUTS, timeoutOptions } from '../http/timeouts.js';
import { validatorCompiler } from '../http/validation.js';
import type { FinEmulator } from './fin-emulator.js';
import { MESSAGE_LIMIT, errorLogPage, messengerPage } from './pages.js';
import type { EmulatorState } from './state.js';

export interface EmulatorServerOptions {
  emulator: FinEmulator;
  state: EmulatorState;
  integrationId: string;
  webhookKey: string;
  logger?: FastifyServerOptions['logger'];
}

const StartChat = Type.Object({
  visitor_id: Type.String({ minLength: 1, maxLength: 100 }),
  name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  email: Type.Optional(Type.Union([Type.String({ maxLength: 320, format: 'email' }), Type.Null()])),
  message: Type.String({ minLength: 1, maxLength: MESSAGE_LIMIT }),
});
const PostMessage = Type.Object({ message: Type.String({ minLength: 1, maxLength: MESSAGE_LIMIT }) });

export async function buildEmulatorServer(options: EmulatorServerOptions): Promise<FastifyInstance> {
  const { emulator, state } = options;
  // The same client timeouts as Finch's server: the messenger is reachable by browsers too.
  const app = Fastify({ logger: options.logger ?? false, ...timeoutOptions(HTTP_TIMEOUTS) });
  closeGracefully(app);
  app.setValidatorCompiler(validatorCompiler);
  useJsonBodies(app, { bodyLimit: 65_536 });
  app.setErrorHandler(async (error, request, reply) => {
    const { problem, headers } = problemFromError(error, request);
    return reply.code(problem.status).headers(headers).type('application/problem+json').send(problem);
  });

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').header('content-security-policy', PAGE_CSP).send(messengerPage()));
  app.get('/errors', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', PAGE_CSP).send(errorLogPage(state.errors())),
  );
  app.get('/api/errors', async () => ({ errors: state.errors() }));
  app.get('/health', async () => ({ status: 'ok' }));

  app.post('/api/chats', { schema: { body: StartChat } }, async (request, reply) => {
    const body = request.body as { visitor_id: string; name?: string | null; email?: string | null; message: string };
    const chat = await emulator.startChat({ visitorId: body.visitor_id, name: body.name ?? null, email: body.email ?? null, message: body.message });
    return reply.code(201).send(chatView(emulator, chat.id));
  });

  app.get('/api/chats/:id', async (request) => {
    const view = chatView(emulator, (request.params as { id: string }).id);
    if (!view) throw new HttpProblem(404, 'not_found', 'No such chat.');
    return view;
  });

  app.post('/api/chats/:id/messages', { schema: { body: PostMessage } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!state.chat(id)) throw new HttpProblem(404, 'not_found', 'No such chat.');
    try {
      await emulator.postMessage(id, (request.body as { message: string }).message);
    } catch (error) {
      throw new HttpProblem(409, 'chat_ended', (error as Error).message);
    }
    return reply.code(202).send(chatView(emulator, id));
  });

  // Fin's webhook endpoint, as the helpdesk calls it.
  app.post(`${WEBHOOK_PATH_PREFIX}:integrationId`, async (request, reply) => {
    const { integrationId } = request.params as { integrationId: string };
    if (integrationId !== options.integrationId) throw new HttpProblem(404, 'unknown_integration', 'No integration has this id.');
    const key = request.headers['x-webhook-key'];
    if (typeof key !== 'string' || !safeEqual(key, options.webhookKey)) throw new HttpProblem(401, 'invalid_webhook_key', 'X-Webhook-Key is missing or wrong.');
    const event = parseEvent(request.body);
    if (event.kind === 'typing') emulator.onTyping(event.conversationId, event.agentName);
    // Answered at once, pulled afterwards: the helpdesk should not wait for Fin's synchronization.
    else void emulator.onSyncEvent(event.conversationId).catch((error: unknown) => request.log.warn({ err: error }, 'synchronization failed'));
    return reply.code(202).send({ status: 'accepted' });
  });

  return app;
}

/** Scripts only from this page, no framing, no plugins: the page shows text from strangers. */
const PAGE_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; frame-ancestors 'none'; object-src 'none'";

type ReceivedEvent = { kind: 'sync'; conversationId: string } | { kind: 'typing'; conversationId: string; agentName: string };

/** The body as the contract's webhook event (src/contract/webhooks.ts), or a 400. */
function parseEvent(body: unknown): ReceivedEvent {
  if (!Value.Check(WebhookEvent, body)) {
    throw new HttpProblem(400, 'invalid_event', 'The body must be a sync event {"conversation_id"} or an agent_typing event with data.agent.');
  }
  if (!('event_type' in body)) return { kind: 'sync', conversationId: body.conversation_id };
  return { kind: 'typing', conversationId: body.conversation_id, agentName: body.data.agent.name ?? 'An agent' };
}

function chatView(emulator: FinEmulator, chatId: string) {
  const view = emulator.view(chatId);
  if (!view) return undefined;
  return {
    chat: { id: view.chat.id, mode: view.chat.mode, title: view.chat.title, conversation_id: view.chat.conversationId },
    messages: view.messages.map((message) => ({
      id: message.id,
      role: message.role,
      author_name: message.authorName,
      body: message.body,
      created_at: message.createdAt,
    })),
    typing: view.typing,
  };
}
