/**
 * The baseline: a bare node:http server that answers each known URL with bytes captured from
 * Finch, from memory. It does what any Node HTTP server must do and nothing else, so Finch's
 * figures divided by its figures say what Finch's own work (routing, auth, validation, the
 * database, serialization) costs. Started by baseline.ts as its own process:
 *
 *   node --import tsx bench/lib/baseline-server.ts <responses.json>
 *
 * and prints `listening <port>` once ready.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CapturedResponse } from './baseline.js';

const file = process.argv[2];
if (!file) throw new Error('usage: baseline-server.ts <responses.json>');
const captured = JSON.parse(readFileSync(file, 'utf8')) as CapturedResponse[];

// Everything that can be prepared before a request is: the lookup and write are all that is left.
const routes = new Map(
  captured.map(({ path, status, contentType, bodyBase64 }) => {
    const body = Buffer.from(bodyBase64, 'base64');
    return [path, { status, body, headers: { 'content-type': contentType, 'content-length': String(body.length) } }] as const;
  }),
);

const server = http.createServer((request, response) => {
  const route = routes.get(request.url ?? '');
  if (!route) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(route.status, route.headers).end(route.body);
});
// Fastify's default, so idle keep-alive connections are treated alike on both sides.
server.keepAliveTimeout = 72_000;

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
