/** Signing in and out, who is signed in, and changing one's own password. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { PasswordChangeInput, SessionView, SignInInput } from '../../../contract/agent-api.js';
import { normalizeEmail } from '../../../domain/auth/email.js';
import { changePassword } from '../../../domain/helpdesk/sessions/change-password.js';
import { SESSION_LIFETIME_MS } from '../../../domain/helpdesk/sessions/session-rules.js';
import { signIn } from '../../../domain/helpdesk/sessions/sign-in.js';
import { signOut } from '../../../domain/helpdesk/sessions/sign-out.js';
import { HttpProblem } from '../../problem.js';
import { refuseWhenHashingBusy } from '../../shared-rate-limit.js';
import { callerOf, setSessionCookie } from '../auth.js';
import type { AgentRouteOptions } from '../agent-route-options.js';
import { routeSchema } from '../route-schema.js';
import { presentAgent } from '../presenters.js';
import { clientKey } from '../../client-address.js';

const TAGS = ['Agent API: session'];
/** Password attempts (sign-in, a password change) are counted over this window. */
const PASSWORD_WINDOW_MS = 15 * 60_000;

/**
 * Sign-in attempts per client address over the window, whatever the emails: this many times the
 * per-address-and-email limit (`FINCH_LOGIN_RATE_LIMIT`; 100 by default). Trying many emails from
 * one address would otherwise be limited only per email, each attempt costing a password hash.
 */
export const SIGN_IN_ADDRESS_FACTOR = 10;
/**
 * Sign-ins from one client address being checked at once in this process; more are refused at once
 * (429, `Retry-After: 1`). Each costs a password hash, and this process computes two at a time:
 * one address can hold up the others' sign-ins by at most this many hashes.
 */
export const SIGN_INS_AT_ONCE_PER_ADDRESS = 4;

const tooManyAttempts = (what: string) => (_request: FastifyRequest, context: { ttl: number }) =>
  Object.assign(new Error(`Too many ${what}; try again in ${Math.ceil(context.ttl / 1000)} s.`), { statusCode: 429, code: 'rate_limited' });

export const sessionRoutes: FastifyPluginAsync<AgentRouteOptions> = async (fastify, { ctx, loginRateLimit, secureCookies, streams }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // Counted in the same shared store as the per-email limit, before the body is read.
  const signInsFromAddress = app.createRateLimit({
    max: loginRateLimit * SIGN_IN_ADDRESS_FACTOR,
    timeWindow: PASSWORD_WINDOW_MS,
    keyGenerator: (request) => `POST /session by address|${clientKey(request.ip)}`,
  });
  const checking = new Map<string, number>();

  app.post(
    '/session',
    {
      onRequest: async (request) => {
        const limit = await signInsFromAddress(request);
        if (limit.isAllowed || !limit.isExceeded) return;
        throw new HttpProblem(429, 'rate_limited', `Too many sign-in attempts from your address; try again in ${limit.ttlInSeconds} s.`, {
          headers: { 'retry-after': String(limit.ttlInSeconds) },
        });
      },
      config: {
        public: true,
        // Per address and email: guessing one agent's password is slow, and one address cannot
        // lock everybody out. Counted after the body is read, since the email is in it, and by
        // the email as sign-in reads it, so no spelling of one address gets fresh attempts.
        rateLimit: {
          max: loginRateLimit,
          timeWindow: PASSWORD_WINDOW_MS,
          hook: 'preHandler',
          keyGenerator: (request) => `${clientKey(request.ip)}|${normalizeEmail(String((request.body as { email?: unknown } | undefined)?.email ?? ''))}`,
          errorResponseBuilder: tooManyAttempts('sign-in attempts'),
        },
      },
      schema: routeSchema(
        {
          operationId: 'signIn',
          summary: 'Sign in',
          description:
            'Sets the HTTP-only session cookie; returns the CSRF token to send with changes. Limited per client address and email, per client address ' +
            `(${SIGN_IN_ADDRESS_FACTOR} times as many), and to ${SIGN_INS_AT_ONCE_PER_ADDRESS} at once per address (429 rate_limited with Retry-After); ` +
            '503 sign_in_busy with Retry-After when too many passwords are being checked.',
          body: SignInInput,
          response: { 200: SessionView },
        },
        TAGS,
        { public: true },
      ),
    },
    async (request, reply) => {
      const client = clientKey(request.ip);
      const atOnce = checking.get(client) ?? 0;
      if (atOnce >= SIGN_INS_AT_ONCE_PER_ADDRESS) {
        throw new HttpProblem(429, 'rate_limited', 'Too many sign-ins from your address at once; try again in 1 s.', { headers: { 'retry-after': '1' } });
      }
      checking.set(client, atOnce + 1);
      let session: Awaited<ReturnType<typeof signIn>>;
      try {
        session = await refuseWhenHashingBusy('sign_in_busy', () => signIn(ctx, request.body));
      } finally {
        const left = checking.get(client)! - 1;
        if (left === 0) checking.delete(client);
        else checking.set(client, left);
      }
      setSessionCookie(reply, session.sessionToken, { secure: secureCookies, maxAgeSeconds: SESSION_LIFETIME_MS / 1000 });
      request.log.info({ agent: session.agent.id }, 'agent signed in');
      return { agent: presentAgent(session.agent), csrf_token: session.csrfToken, expires_at: session.expiresAt };
    },
  );

  app.get(
    '/session',
    { schema: routeSchema({ operationId: 'getSession', summary: 'Who is signed in', response: { 200: SessionView } }, TAGS) },
    async (request) => {
      const caller = callerOf(request);
      return { agent: presentAgent(caller.agent), csrf_token: caller.session?.csrfToken ?? null, expires_at: caller.session?.expiresAt ?? null };
    },
  );

  app.delete(
    '/session',
    { schema: routeSchema({ operationId: 'signOut', summary: 'Sign out', response: { 204: Type.Null() } }, TAGS) },
    async (request, reply) => {
      const { session, agent } = callerOf(request);
      if (session) await signOut(ctx, session.token);
      setSessionCookie(reply, '', { secure: secureCookies, maxAgeSeconds: 0 });
      await streams.recheck(agent.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/me/password',
    {
      config: {
        // Per agent: a borrowed session must not become a way to guess the current password.
        rateLimit: {
          max: loginRateLimit,
          timeWindow: PASSWORD_WINDOW_MS,
          hook: 'preHandler',
          keyGenerator: (request) => callerOf(request).agent.id,
          errorResponseBuilder: tooManyAttempts('password attempts'),
        },
      },
      schema: routeSchema(
        {
          operationId: 'changePassword',
          summary: 'Change your password',
          description:
            'Needs the current password (403 `wrong_password`). The new one must be at least 12 characters and hard to guess ' +
            '(422 `weak_password`, whose detail says why). Your other sessions end; this one stays.',
          body: PasswordChangeInput,
          response: { 204: Type.Null() },
        },
        TAGS,
      ),
    },
    async (request, reply) => {
      const { agent, session } = callerOf(request);
      await refuseWhenHashingBusy('password_hashing_busy', () =>
        changePassword(ctx, agent, {
          currentPassword: request.body.current_password,
          newPassword: request.body.new_password,
          keepSessionToken: session?.token,
        }),
      );
      request.log.info({ agent: agent.id }, 'agent changed their password');
      await streams.recheck(agent.id);
      return reply.code(204).send(null);
    },
  );
};
