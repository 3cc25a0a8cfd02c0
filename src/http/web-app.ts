/**
 * The inbox (web/, built by Vite into dist/web) served by Finch itself: hashed assets with a long
 * cache life, and index.html for each of the app's own paths, so links into the app work. The
 * files are read once at start; they are small, and the server never touches the disk per request.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { HttpProblem } from './problem.js';

/** dist/web, from src/http (tests) and from dist/http (the built server) alike. */
const WEB_ROOT = path.resolve(import.meta.dirname, '../../dist/web');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * Only this origin's scripts and styles; images may come from HTTPS (avatars, attachments); no
 * framing. Message bodies are sanitized twice (on the way in, and before rendering), and this
 * stops anything that slipped through from running.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; " +
  "frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'";

const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/** The app's own paths (see web/src/router.ts), answered with index.html. */
const APP_PATHS = ['/', '/c/:id', '/replies', '/admin', '/admin/:section'];

export function registerWebApp(app: FastifyInstance, root = WEB_ROOT): void {
  const index = existsSync(path.join(root, 'index.html')) ? readFileSync(path.join(root, 'index.html')) : undefined;
  const assets = new Map<string, Buffer>();
  const assetDir = path.join(root, 'assets');
  if (existsSync(assetDir)) for (const name of readdirSync(assetDir)) assets.set(name, readFileSync(path.join(assetDir, name)));

  for (const url of APP_PATHS) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) => {
      if (!index) throw new HttpProblem(503, 'web_app_not_built', 'The inbox is not built: run npm run build.');
      return reply
        .headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' })
        .type('text/html; charset=utf-8')
        .send(index);
    });
  }
  app.get('/assets/:name', { schema: { hide: true } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const body = assets.get(name);
    if (!body) throw new HttpProblem(404, 'not_found', `No asset ${name}.`);
    // The names carry a content hash: a new build has new names.
    return reply
      .headers({ ...SECURITY_HEADERS, 'cache-control': 'public, max-age=31536000, immutable' })
      .type(TYPES[path.extname(name)] ?? 'application/octet-stream')
      .send(body);
  });
}
