import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { HttpProblem } from './problem.js';

/** How long a connection opened while closing may take to send its request. */
const UNUSED_GRACE_MS = 1_000;
/** What a request refused while closing is told to wait: a restart, or another node behind the proxy. */
export const CLOSING_RETRY_AFTER_SECONDS = 5;

/** Servers told they are stopping (a signal came, or `close()` began): readiness answers 503. */
const shuttingDown = new WeakSet<FastifyInstance>();

/**
 * Says that `app` is stopping, before `close()`: `/health/ready` answers 503 from now on, so a
 * load balancer stops sending new work while the requests in flight finish. (Once `close()` has
 * begun, Fastify answers every new request on a kept-alive connection 503 itself.)
 */
export function markShuttingDown(app: FastifyInstance): void {
  shuttingDown.add(app);
}

/** Whether `app` is stopping (`markShuttingDown`, or its close has begun). */
export function isShuttingDown(app: FastifyInstance): boolean {
  return shuttingDown.has(app);
}

/**
 * Lets `close()` finish as soon as the requests in flight do. Closing stops new connections and
 * drops idle ones, but a keep-alive connection whose request finishes during the close would stay
 * open until its keep-alive timeout (72 s): answers given while closing ask the client to close.
 *
 * A connection that has not sent a request yet (a browser's preconnect, an HTTP client's spare)
 * is not idle to Node either: it would hold the close until its headers timeout (60 s). Such
 * connections are dropped when closing starts; one that opens while closing (the server listens
 * until the close hooks have run) gets `UNUSED_GRACE_MS` to send its request, then is dropped too.
 *
 * A new request that arrives while closing (on a kept-alive connection, or pipelined behind one in
 * flight) is refused as every unavailable answer is: 503 problem JSON `shutting_down` with
 * Retry-After, so a client or proxy tries again, elsewhere or later. The server must be built with
 * `return503OnClosing: false` (Fastify's own answer is a bare 503), and this registered after the
 * hooks every answer needs (security headers, metrics): a refusing hook ends the request's hooks.
 */
export function closeGracefully(app: FastifyInstance): void {
  let closing = false;
  const unused = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
    if (closing) setTimeout(() => unused.has(socket) && socket.destroy(), UNUSED_GRACE_MS).unref();
  });
  app.server.on('request', (request: { socket: Socket }) => unused.delete(request.socket));
  app.addHook('preClose', async () => {
    closing = true;
    shuttingDown.add(app);
    for (const socket of unused) socket.destroy();
  });
  app.addHook('onRequest', async () => {
    if (closing)
      throw new HttpProblem(503, 'shutting_down', 'Finch is stopping; try again shortly.', {
        headers: { 'retry-after': String(CLOSING_RETRY_AFTER_SECONDS) },
      });
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}
