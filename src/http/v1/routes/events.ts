/**
 * The inbox's live view: `GET /events` streams Server-Sent Events naming the conversations that
 * changed, in this process or (on PostgreSQL) any other, so the inbox reads them again within a
 * moment instead of polling. The format is documented with `InboxEventStream`.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { InboxEventStream, type ChangedConversations } from '../../../contract/agent-api.js';
import { HttpProblem } from '../../problem.js';
import { callerOf } from '../auth.js';
import { routeSchema, type AgentApiOptions } from '../plugin.js';

/** Changes this close together go out as one event. */
const COALESCE_MS = 50;
/** A comment this often keeps proxies and load balancers from dropping an idle stream. */
const KEEP_ALIVE_MS = 20_000;

export const eventRoutes: FastifyPluginAsync<AgentApiOptions> = async (app, { ctx, eventKeepAliveMs = KEEP_ALIVE_MS, eventCoalesceMs = COALESCE_MS }) => {
  const open = new Set<EventStream>();
  let closing = false;
  // Before the server stops listening, which waits for every connection: a stream never ends by itself.
  app.addHook('preClose', async () => {
    closing = true;
    await Promise.all([...open].map((stream) => stream.end()));
  });

  app.get(
    '/events',
    {
      schema: routeSchema(
        {
          summary: 'Follow changes to conversations',
          description:
            'A stream of Server-Sent Events (use EventSource) naming the conversations that changed, so the inbox can read them again. ' +
            'Read what you show once `ready` arrives, and again whenever it arrives again.',
          response: { 200: { description: 'The event stream, open until the client or the server ends it', content: { 'text/event-stream': { schema: InboxEventStream } } } },
        },
        ['Agent API: conversations'],
      ),
    },
    async (request, reply) => {
      callerOf(request);
      const stream = new EventStream(reply.raw, { keepAliveMs: eventKeepAliveMs, coalesceMs: eventCoalesceMs });
      try {
        stream.unsubscribe = await ctx.store.subscribeToChanges(
          (ids) => stream.changed(ids),
          () => stream.ready(),
        );
      } catch (error) {
        request.log.error({ err: error }, 'could not follow changes to conversations');
        throw new HttpProblem(503, 'events_unavailable', 'Changes to conversations cannot be followed right now; try again shortly.', {
          headers: { 'retry-after': '5' },
        });
      }
      if (closing) {
        await stream.end();
        throw new HttpProblem(503, 'shutting_down', 'The server is shutting down; connect again.', { headers: { 'retry-after': '1' } });
      }
      reply.hijack();
      // The client may have gone while the subscription was being made.
      if (request.raw.socket.destroyed) {
        await stream.end();
        return;
      }
      open.add(stream);
      reply.raw.on('close', () => {
        open.delete(stream);
        void stream.end();
      });
      stream.start();
    },
  );
};

/** One client's stream: changes coalesced over a short window, a comment now and then. */
class EventStream {
  unsubscribe: (() => Promise<void>) | undefined;
  private readonly pending = new Set<string>();
  private started = false;
  /** The socket's buffer is full: changes gather in `pending` until it drains. */
  private blocked = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private ending: Promise<void> | undefined;

  constructor(
    private readonly raw: ServerResponse,
    private readonly timing: { keepAliveMs: number; coalesceMs: number },
  ) {}

  start(): void {
    this.started = true;
    this.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      // The stream ends only when one side goes away; the connection is not reused after it.
      connection: 'close',
    });
    this.raw.on('drain', () => {
      this.blocked = false;
      this.flush();
    });
    this.ready();
    this.keepAlive = setInterval(() => {
      if (!this.blocked) this.write(': keep-alive\n\n');
    }, this.timing.keepAliveMs);
    if (this.pending.size > 0) this.schedule();
  }

  ready(): void {
    if (this.started) this.write('event: ready\ndata: {}\n\n');
  }

  changed(ids: string[]): void {
    for (const id of ids) this.pending.add(id);
    this.schedule();
  }

  end(): Promise<void> {
    this.ending ??= (async () => {
      clearTimeout(this.flushTimer);
      clearInterval(this.keepAlive);
      if (this.started && !this.raw.writableEnded) this.raw.end();
      await this.unsubscribe?.();
    })();
    return this.ending;
  }

  private schedule(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, this.timing.coalesceMs);
  }

  private flush(): void {
    if (!this.started || this.blocked || this.ending || this.pending.size === 0) return;
    const data: ChangedConversations = { ids: [...this.pending] };
    this.pending.clear();
    this.write(`event: conversations\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private write(chunk: string): void {
    if (this.ending || this.raw.writableEnded || this.raw.destroyed) return;
    if (!this.raw.write(chunk)) this.blocked = true;
  }
}
