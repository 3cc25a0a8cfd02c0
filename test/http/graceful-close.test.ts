/**
 * Closing ends as soon as the requests in flight do: a connection that opens while the close hooks
 * run and never sends a request must not hold the close until its headers timeout (60 s).
 */
import { connect, type Socket } from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { CLOSING_RETRY_AFTER_SECONDS, closeGracefully } from '../../src/http/graceful-close.js';
import { problemFromError } from '../../src/http/problem.js';

describe('closing gracefully', () => {
  it('drops a connection that opened while closing and sent nothing, instead of waiting for its headers timeout', async () => {
    const app = Fastify();
    closeGracefully(app);
    let hooksRunning!: () => void;
    const running = new Promise<void>((resolve) => (hooksRunning = resolve));
    // A close hook that takes a while, as ending event streams and presence rows do: the server still listens meanwhile.
    app.addHook('preClose', async () => {
      hooksRunning();
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    app.get('/', async () => 'ok');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };

    const closed = app.close().then(() => 'closed' as const);
    await running;
    const spare: Socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => spare.once('connect', resolve).once('error', reject));
    const dropped = new Promise<void>((resolve) => spare.once('close', () => resolve()));

    // Far below the 60 s headers timeout the spare would otherwise hold it for.
    const stuck = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 15_000).unref());
    expect(await Promise.race([closed, stuck])).toBe('closed');
    await dropped;
  }, 30_000);

  it('refuses a request that arrives while closing as a problem with Retry-After, not a bare 503', async () => {
    // As buildServer makes it: Fastify's own closing answer off, the problem error handler on.
    const app = Fastify({ return503OnClosing: false });
    app.setErrorHandler(async (error, request, reply) => {
      const { problem, headers } = problemFromError(error, request);
      return reply.code(problem.status).headers(headers).type('application/problem+json').send(problem);
    });
    closeGracefully(app);
    let hooksRunning!: () => void;
    const running = new Promise<void>((resolve) => (hooksRunning = resolve));
    let finishHooks!: () => void;
    const hooksMayEnd = new Promise<void>((resolve) => (finishHooks = resolve));
    app.addHook('preClose', async () => {
      hooksRunning();
      await hooksMayEnd;
    });
    app.get('/', async () => 'ok');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);

    const closed = app.close();
    await running;
    const refused = await fetch(`http://127.0.0.1:${port}/`);
    finishHooks();
    await closed;
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.headers.get('retry-after')).toBe(String(CLOSING_RETRY_AFTER_SECONDS));
    expect(refused.headers.get('connection')).toBe('close');
    expect(await refused.json()).toMatchObject({ status: 503, code: 'shutting_down' });
  }, 30_000);
});
