/**
 * The emulator's HTTP side: the messenger page and its JSON API, Fin's webhook receiver, and the
 * error log (page and JSON), like Fin's "Error logs".
 */
import { Value } from 'typebox/value';
import { SyncEvent, TypingEvent, WEBHOOK_PATH_PREFIX } from '../contract/webhooks.js';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import Type from 'typebox';
import { safeEqual } from '../domain/auth/secrets.js';
import { closeGracefully } from '../http/graceful-close.js';
import { useJsonBodies } from '../http/json-body.js';
import { HttpProblem, problemFromError } from '../http/problem.js';
import { HTTP_TIMEOUTS, timeoutOptions } from '../http/timeouts.js';
import { validatorCompiler } from '../http/validation.js';
import type { ChatStart, FinEmulator } from './fin-emulator.js';
import { MESSAGE_LIMIT, errorLogPage, messengerPage } from './pages.js';
import type { ChatAttachment, EmulatorState } from './state.js';

export interface EmulatorServerOptions {
  emulator: FinEmulator;
  state: EmulatorState;
  integrationId: string;
  webhookKey: string;
  logger?: FastifyServerOptions['logger'];
}

/** A file the end-user attaches, by its HTTPS link (the messenger has no file storage of its own). */
const AttachmentLink = Type.Object({
  url: Type.String({ maxLength: 2048, pattern: '^https://' }),
  filename: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
const Attachments = Type.Optional(Type.Array(AttachmentLink, { maxItems: 10 }));
/** Text, attachments or both: an attachment-only message has an empty text. */
const Text = Type.String({ maxLength: MESSAGE_LIMIT });
const Email = Type.String({ maxLength: 320, format: 'email' });

const StartChat = Type.Object({
  visitor_id: Type.String({ minLength: 1, maxLength: 100 }),
  /** A signed-in user's id in the helpdesk: Fin looks them up (Get User) before creating anyone. */
  user_id: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
  name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  email: Type.Optional(Type.Union([Email, Type.Null()])),
  message: Text,
  attachments: Attachments,
  /** The conversation's attributes (scalars), e.g. the page the chat began on. */
  attributes: Type.Optional(
    Type.Record(Type.String({ maxLength: 100 }), Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean(), Type.Null()]), {
      maxProperties: 20,
    }),
  ),
});
const PostMessage = Type.Object({ message: Text, attachments: Attachments });
const GiveEmail = Type.Object({ email: Email });

type AttachmentLink = { url: string; filename?: string };

/** The text and attachments of a message, or a 400 when it has neither. */
function content(message: string, links: AttachmentLink[] = []): { message: string; attachments: ChatAttachment[] } {
  if (!message.trim() && links.length === 0) throw new HttpProblem(400, 'empty_message', 'A message needs text, an attachment, or both.');
  const attachments = links.map((link) => {
    const filename = link.filename ?? decodeURIComponent(new URL(link.url).pathname.split('/').pop() || 'file');
    return { url: link.url, filename, filetype: /\.([a-z0-9]{1,8})$/i.exec(filename)?.[1]?.toLowerCase() ?? '' };
  });
  return { message, attachments };
}

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
    const body = request.body as {
      visitor_id: string;
      user_id?: string | null;
      name?: string | null;
      email?: string | null;
      message: string;
      attachments?: AttachmentLink[];
      attributes?: ChatStart['attributes'];
    };
    const chat = await emulator.startChat({
      visitorId: body.visitor_id,
      userId: body.user_id ?? null,
      name: body.name ?? null,
      email: body.email ?? null,
      ...content(body.message, body.attachments),
      ...(body.attributes ? { attributes: body.attributes } : {}),
    });
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
    const body = request.body as { message: string; attachments?: AttachmentLink[] };
    const { message, attachments } = content(body.message, body.attachments);
    try {
      await emulator.postMessage(id, message, attachments);
    } catch (error) {
      throw new HttpProblem(409, 'chat_ended', (error as Error).message);
    }
    return reply.code(202).send(chatView(emulator, id));
  });

  // The email collector: the end-user leaves an email, which Fin passes on with Update User.
  app.post('/api/chats/:id/email', { schema: { body: GiveEmail } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!state.chat(id)?.userId) throw new HttpProblem(404, 'not_found', 'No such chat.');
    try {
      await emulator.giveEmail(id, (request.body as { email: string }).email);
    } catch (error) {
      throw new HttpProblem(502, 'helpdesk_refused', `The helpdesk did not take the email: ${(error as Error).message}`);
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

/** The body as a sync or agent_typing event, or a 400. */
function parseEvent(body: unknown): ReceivedEvent {
  if (Value.Check(SyncEvent, body)) return { kind: 'sync', conversationId: body.conversation_id };
  if (Value.Check(TypingEvent, body)) return { kind: 'typing', conversationId: body.conversation_id, agentName: body.data.agent.name ?? 'An agent' };
  throw new HttpProblem(400, 'invalid_event', 'The body must be a sync event {"conversation_id"} or an agent_typing event with data.agent.');
}

function chatView(emulator: FinEmulator, chatId: string) {
  const view = emulator.view(chatId);
  if (!view) return undefined;
  return {
    chat: {
      id: view.chat.id,
      mode: view.chat.mode,
      title: view.chat.title,
      conversation_id: view.chat.conversationId,
      // Who holds it when a person does (waiting: nobody yet), and whether the end-user left an email.
      holder_name: view.chat.mode === 'human' ? view.chat.holderName : null,
      has_email: view.hasEmail,
    },
    messages: view.messages.map((message) => ({
      id: message.id,
      role: message.role,
      author_name: message.authorName,
      body: message.body,
      attachments: message.attachments,
      created_at: message.createdAt,
    })),
    typing: view.typing,
  };
}
