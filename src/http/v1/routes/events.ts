/**
 * The inbox's live view: `GET /events` streams Server-Sent Events naming the conversations that
 * changed, in this process or (on PostgreSQL) any other, so the inbox reads them again within a
 * moment instead of polling. The format is documented with `InboxEventStream`.
 *
 * A stream lives no longer than what opened it: the session or token is checked again every few
 * seconds and before a batch goes out (so a sign-out, expiry, deactivation or revocation made by
 * any Finch process ends it), and at once when this process makes that change (`LiveStreams`).
 *
 * Each stream opened with the session cookie is an open inbox for presence (issue 12, items 1
 * and 3): it counts as one of its agent's connections while it lasts, its `ready` event names that connection (for
 * `PUT /me/viewing`), and it carries `team` (someone's presence changed) and `collision` (who else
 * views or types in the conversation the inbox shows) events (`PresenceHub`, live-streams.ts).
 */
import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import { InboxEventStream, type ChangedConversations } from '../../../contract/agent-api.js';
import type { StreamReady } from '../../../contract/presence.js';
import { HttpProblem } from '../../problem.js';
import { callerOf, callerStillValid } from '../auth.js';
import type { AgentApiOptions, AgentRouteOptions } from '../agent-route-options.js';
import { routeSchema } from '../route-schema.js';

/** Changes this close together go out as one event. */
const COALESCE_MS = 50;
/** A comment this often keeps proxies and load balancers from dropping an idle stream. */
const KEEP_ALIVE_MS = 20_000;
/** How often an open stream checks its session or token: the longest a revocation elsewhere goes unnoticed. */
const RECHECK_MS = 5_000;
/** A batch of changes goes out only if the credential was found valid this recently. */
const BATCH_RECHECK_MS = 1_000;

export const eventRoutes: FastifyPluginAsync<AgentRouteOptions & Pick<AgentApiOptions, 'eventKeepAliveMs' | 'eventCoalesceMs' | 'eventRecheckMs'>> = async (
  app,
  { ctx, streams, eventKeepAliveMs = KEEP_ALIVE_MS, eventCoalesceMs = COALESCE_MS, eventRecheckMs = RECHECK_MS },
) => {
  // Before the server stops listening, which waits for every connection: a stream never ends by itself.
  app.addHook('preClose', () => streams.endAll());
  // Once no request is left: this node's connections end in one write, before the database closes.
  app.addHook('onClose', () => streams.finish());
  const presence = streams.presence(ctx, { onTrouble: (error) => logPresenceTrouble(app.log, error) });

  app.get(
    '/events',
    {
      schema: routeSchema(
        {
          operationId: 'streamEvents',
          summary: 'Follow changes to conversations',
          description:
            'A stream of Server-Sent Events (use EventSource) naming the conversations that changed, so the inbox can read them again. ' +
            'Read what you show once `ready` arrives, and again whenever it arrives again.',
          response: {
            200: {
              description: 'The event stream, open until the client or the server ends it',
              content: { 'text/event-stream': { schema: InboxEventStream } },
            },
          },
        },
        ['Agent API: conversations'],
      ),
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const stream = new EventStream(reply.raw, {
        keepAliveMs: eventKeepAliveMs,
        coalesceMs: eventCoalesceMs,
        recheckMs: eventRecheckMs,
        stillValid: () => callerStillValid(ctx, caller),
        onCheckFailed: (error) => logCheckFailure(request.log, error),
      });
      try {
        stream.unsubscribe = await ctx.conversations.subscribeToChanges(
          (ids) => stream.changed(ids),
          () => stream.ready(),
        );
        // An inbox is a browser signed in; a script following changes with a personal token is
        // not the agent at work, so it makes nobody online (docs/decisions.md, "Presence").
        if (caller.session) {
          const connectionId = await presence.join(caller.agent.id);
          stream.connectionId = connectionId;
          stream.leave = () => presence.leave(connectionId);
        }
      } catch (error) {
        await stream.end();
        request.log.error({ err: error }, 'could not follow changes to conversations');
        throw new HttpProblem(503, 'events_unavailable', 'Changes to conversations cannot be followed right now; try again shortly.', {
          headers: { 'retry-after': '5' },
        });
      }
      if (streams.isClosing) {
        await stream.end();
        throw new HttpProblem(503, 'shutting_down', 'The server is shutting down; connect again.', { headers: { 'retry-after': '1' } });
      }
      reply.hijack();
      // The client may have gone while the subscription was being made.
      if (request.raw.socket.destroyed) {
        await stream.end();
        return;
      }
      streams.add(stream, caller.agent.id);
      reply.raw.on('close', () => {
        streams.remove(stream);
        void stream.end();
      });
      stream.start();
    },
  );
};

interface StreamOptions {
  keepAliveMs: number;
  coalesceMs: number;
  recheckMs: number;
  /** Whether the session or token that opened the stream is still good; throws when that cannot be told. */
  stillValid: () => Promise<boolean>;
  onCheckFailed: (error: unknown) => void;
}

/** One client's stream: changes coalesced over a short window, a comment now and then. */
class EventStream {
  unsubscribe: (() => Promise<void>) | undefined;
  /** Its connection (presence), and how it ends. */
  connectionId: string | undefined;
  leave: (() => Promise<void>) | undefined;
  private readonly pending = new Set<string>();
  private started = false;
  /** The socket's buffer is full: changes gather in `pending` until it drains. */
  private blocked = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;
  private ending: Promise<void> | undefined;
  /** When the credential was last found valid (the request that opened the stream checked it). */
  private verifiedAt = Date.now();
  private verifying: Promise<void> | undefined;

  constructor(
    private readonly raw: ServerResponse,
    private readonly timing: StreamOptions,
  ) {}

  /** Checks the credential again (one check at a time); ends the stream when it is no longer valid. */
  verify(): Promise<void> {
    this.verifying ??= (async () => {
      try {
        const valid = await this.timing.stillValid();
        this.verifiedAt = Date.now();
        if (!valid) await this.end();
      } catch (error) {
        // The store cannot tell now (e.g. the database is unreachable): keep the stream, ask again later.
        this.verifiedAt = Date.now();
        this.timing.onCheckFailed(error);
      } finally {
        this.verifying = undefined;
      }
    })();
    return this.verifying;
  }

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
    this.recheck = setInterval(() => void this.verify(), this.timing.recheckMs);
    if (this.pending.size > 0) this.schedule();
  }

  ready(): void {
    const data: StreamReady | Record<string, never> = this.connectionId === undefined ? {} : { connection_id: this.connectionId };
    if (this.started) this.write(`event: ready\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** A presence event (`team`, `collision`): the latest state, sent at once. */
  send(event: string, data: unknown): void {
    if (this.started && !this.ending) this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  changed(ids: string[]): void {
    for (const id of ids) this.pending.add(id);
    this.schedule();
  }

  end(): Promise<void> {
    this.ending ??= (async () => {
      clearTimeout(this.flushTimer);
      clearInterval(this.keepAlive);
      clearInterval(this.recheck);
      if (this.started && !this.raw.writableEnded) this.raw.end();
      await this.unsubscribe?.();
      await this.leave?.();
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
    // No conversation ids to a credential that may have ended since it was last checked.
    if (Date.now() - this.verifiedAt > BATCH_RECHECK_MS) {
      void (this.verifying ?? this.verify()).then(() => this.flush());
      return;
    }
    const data: ChangedConversations = { ids: [...this.pending] };
    this.pending.clear();
    this.write(`event: conversations\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private write(chunk: string): void {
    if (this.ending || this.raw.writableEnded || this.raw.destroyed) return;
    if (!this.raw.write(chunk)) this.blocked = true;
  }
}

/** At most one line a minute per process and kind, however many streams fail at once. */
const TROUBLE_LOG_EVERY_MS = 60_000;

/** A warning logged at most once a minute (with the reason, no stack trace): every open inbox would otherwise log its own. */
function throttledWarning(message: string): (log: FastifyBaseLogger, error: unknown) => void {
  let loggedAt = 0;
  return (log, error) => {
    const at = Date.now();
    if (at - loggedAt < TROUBLE_LOG_EVERY_MS) return;
    loggedAt = at;
    log.warn({ reason: error instanceof Error ? error.message : String(error) }, message);
  };
}

/**
 * A stream whose credentials cannot be checked (the database is down) stays open. Every open
 * inbox checks every 5 s, so an outage would otherwise log a line with a stack trace per inbox
 * every few seconds; one line a minute, with the reason, says it.
 */
const logCheckFailure = throttledWarning('event streams’ credentials cannot be checked; they stay open');
/** Presence's bookkeeping failed (renewing or closing connections, reading who is on a conversation): rows expire by themselves. */
const logPresenceTrouble = throttledWarning('presence cannot be kept up to date right now; open streams stay open');
