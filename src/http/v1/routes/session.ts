/** Signing in and out, and who is signed in. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { SessionView, SignInInput } from '../../../contract/agent-api.js';
import { SESSION_LIFETIME_MS, signIn, signOut } from '../../../domain/helpdesk/sessions.js';
import { callerOf, setSessionCookie } from '../auth.js';
import { routeSchema, type AgentApiOptions } from '../plugin.js';
import { presentAgent } from '../presenters.js';

const TAGS = ['Agent API: session'];
const LOGIN_WINDOW_MS = 15 * 60_000;

export const sessionRoutes: FastifyPluginAsync<AgentApiOptions> = async (fastify, { ctx, loginRateLimit, secureCookies }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/session',
    {
      config: {
        public: true,
        // Per address and email: guessing one agent's password is slow, and one address cannot
        // lock everybody out. Counted after the body is read, since the email is in it.
        rateLimit: {
          max: loginRateLimit,
          timeWindow: LOGIN_WINDOW_MS,
          hook: 'preHandler',
          keyGenerator: (request) => `${request.ip}|${String((request.body as { email?: unknown } | undefined)?.email ?? '').toLowerCase()}`,
          errorResponseBuilder: (_request, context) =>
            Object.assign(new Error(`Too many sign-in attempts; try again in ${Math.ceil(context.ttl / 1000)} s.`), { statusCode: 429, code: 'rate_limited' }),
        },
      },
      schema: routeSchema(
        { summary: 'Sign in', description: 'Sets the HTTP-only session cookie; returns the CSRF token to send with changes.', body: SignInInput, response: { 200: SessionView } },
        TAGS,
      ),
    },
    async (request, reply) => {
      const session = await signIn(ctx, request.body);
      setSessionCookie(reply, session.sessionToken, { secure: secureCookies, maxAgeSeconds: SESSION_LIFETIME_MS / 1000 });
      request.log.info({ agent: session.agent.id }, 'agent signed in');
      return { agent: presentAgent(session.agent), csrf_token: session.csrfToken, expires_at: session.expiresAt };
    },
  );

  app.get(
    '/session',
    { schema: routeSchema({ summary: 'Who is signed in', response: { 200: SessionView } }, TAGS) },
    async (request) => {
      const caller = callerOf(request);
      return { agent: presentAgent(caller.agent), csrf_token: caller.session?.csrfToken ?? null, expires_at: caller.session?.expiresAt ?? null };
    },
  );

  app.delete(
    '/session',
    { schema: routeSchema({ summary: 'Sign out', response: { 204: Type.Null() } }, TAGS) },
    async (request, reply) => {
      const { session } = callerOf(request);
      if (session) await signOut(ctx, session.token);
      setSessionCookie(reply, '', { secure: secureCookies, maxAgeSeconds: 0 });
      return reply.code(204).send(null);
    },
  );
};
