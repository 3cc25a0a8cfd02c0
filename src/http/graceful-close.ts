import type { FastifyInstance } from 'fastify';

/**
 * Lets `close()` finish as soon as the requests in flight do. Closing stops new connections and
 * drops idle ones, but a keep-alive connection whose request finishes during the close would stay
 * open until its keep-alive timeout (72 s): answers given while closing ask the client to close.
 */
export function closeGracefully(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}
