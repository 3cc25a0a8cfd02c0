/**
 * Counts and times every HTTP answer (`finch_http_requests_total`,
 * `finch_http_request_duration_seconds`) and follows the open event streams (`finch_sse_clients`).
 * Routes are labelled by their template (`/api/v1/conversations/:id`), never the URL itself, so
 * ids never become label values; a request that matched no route is labelled `UNMATCHED_ROUTE`.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { ApiLabel, FinchMetrics } from './finch-metrics.js';

/** The `route` label of a request no route matched (404s, malformed paths): one value, whatever was asked. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The event stream's route, whose open answers are `finch_sse_clients`. */
const EVENTS_ROUTE = '/api/v1/events';

/** Which API a path (a route template or, for an unmatched request, the URL's path) belongs to. */
export function apiOf(path: string): ApiLabel {
  if (path === '/api/fin' || path.startsWith('/api/fin/')) return 'fin';
  if (path === '/api/v1' || path.startsWith('/api/v1/')) return 'v1';
  if (path === '/oauth' || path.startsWith('/oauth/')) return 'oauth';
  return 'web';
}

/**
 * Adds the hooks to `app`; call it before registering any plugin, so that every route (the
 * plugins' too) inherits them.
 */
export function observeHttp(app: FastifyInstance, metrics: FinchMetrics): void {
  const streams = new Set<ServerResponse>();
  metrics.countSseClients(() => {
    let open = 0;
    for (const response of streams) if (isEventStream(response)) open++;
    return open;
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== EVENTS_ROUTE) return;
    // Counted from when the stream has sent its headers until the connection closes (a refused
    // request, answered as a problem, never counts).
    streams.add(reply.raw);
    reply.raw.once('close', () => streams.delete(reply.raw));
  });
  app.addHook('onResponse', async (request, reply) => {
    const template = request.routeOptions.url;
    const matched = template !== undefined && !request.is404;
    const route = matched ? template : UNMATCHED_ROUTE;
    const api = apiOf(matched ? template : request.url.split('?')[0]!);
    const method = request.method;
    metrics.httpRequests.inc({ api, route, method, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ api, route, method }, reply.elapsedTime / 1000);
  });
}

function isEventStream(response: ServerResponse): boolean {
  return response.headersSent && !response.writableEnded && response.statusCode === 200;
}
