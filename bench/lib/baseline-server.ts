/**
 * The baseline: a bare node:http server that answers each known URL with bytes captured from
 * Finch, from memory. It does what any Node HTTP server must do and nothing else, so Finch's
 * figures divided by its figures say what Finch's own work (routing, auth, validation, the
 * database, serialization) costs. Started by baseline.ts as its own process:
 *
 *   node --import tsx bench/lib/baseline-server.ts <responses.json> [--fastify]
 *
 * and prints `listening <port>` once ready. With --fastify the same bytes come from a bare Fastify 5
 * application (one GET route, no hooks, no logger): the framework's floor, what Finch would cost
 * if its own work (authentication, queries, validation, serialization) cost nothing.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { CapturedResponse } from './baseline.js';

const file = process.argv[2];
if (!file) throw new Error('usage: baseline-server.ts <responses.json> [--fastify]');
const useFastify = process.argv[3] === '--fastify';
const captured = JSON.parse(readFileSync(file, 'utf8')) as CapturedResponse[];

// Everything that can be prepared before a request is: the lookup and write are all that is left.
const routes = new Map(
  captured.map(({ path, status, contentType, bodyBase64 }) => {
    const body = Buffer.from(bodyBase64, 'base64');
    return [path, { status, body, headers: { 'content-type': contentType, 'content-length': String(body.length) } }] as const;
  }),
);

// Fastify's default keep-alive timeout on both, so idle connections are treated alike.
const KEEP_ALIVE_MS = 72_000;

if (useFastify) {
  const app = Fastify({ logger: false, keepAliveTimeout: KEEP_ALIVE_MS });
  const paths = new Set([...routes.keys()].map((url) => url.split('?')[0]!));
  for (const routePath of paths) {
    app.get(routePath, async (request, reply) => {
      const route = routes.get(request.url);
      if (!route) return reply.code(404).send();
      return reply.code(route.status).headers(route.headers).send(route.body);
    });
  }
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`listening ${new URL(address).port}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
} else {
  const server = http.createServer((request, response) => {
    const route = routes.get(request.url ?? '');
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(route.status, route.headers).end(route.body);
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}
