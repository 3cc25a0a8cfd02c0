/**
 * Put Fin on your own helpdesk with Finch's protocol layer: mount the `finApi` plugin in a Fastify
 * application and give it a store. `MemoryFinStore` stands in here; replace it with your own
 * implementation of `FinStore` (copy src/store/memory/memory-fin-store.ts and replace each Map with
 * calls to your system).
 *
 *   FIN_TOKEN=choose-a-long-random-token node --import tsx examples/own-helpdesk.ts
 *
 * Then give Fin `http://<host>:3000/api/fin` as the base URL (REST or POST-only variant) and the
 * token as a fixed token.
 */
import Fastify from 'fastify';
import { finApi, MemoryFinStore, safeEqual, type Authenticate } from 'finch';

export async function buildHelpdesk(options: { token: string; signingSecret?: string }) {
  const app = Fastify({ logger: { level: 'warn' } });
  const store = new MemoryFinStore();

  // Fin sends `Authorization: Bearer <token>`; decide here whether the token may call the API.
  const authenticate: Authenticate = async (token) => (safeEqual(token, options.token) ? { ok: true } : { ok: false, reason: 'unknown' });

  await app.register(finApi, {
    prefix: '/api/fin',
    store,
    authenticate,
    // With Fin's signing secret, every request must carry a valid X-Fin-Signature.
    signing: options.signingSecret ? { secret: options.signingSecret } : undefined,
  });
  return { app, store };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const token = process.env.FIN_TOKEN;
  if (!token) throw new Error('set FIN_TOKEN to the token you give Fin');
  const { app } = await buildHelpdesk({ token, signingSecret: process.env.FIN_SIGNING_SECRET });
  await app.listen({ host: '127.0.0.1', port: 3000 });
}
