/**
 * Notifications beyond the open tab (issue 12, item 4): each agent's email choices
 * (`/me/notifications`) and the team's chat webhook (`/settings/chat-webhook`, admins; its URL is
 * shown masked only, never whole again).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ChatWebhookAttempt, ChatWebhookInput, ChatWebhookView, NotificationPrefsInput, NotificationPrefsView } from '../../../contract/notifications.js';
import { readChatWebhook, type ChatWebhookReport } from '../../../domain/helpdesk/notifications/read-chat-webhook.js';
import { testChatWebhook } from '../../../domain/helpdesk/notifications/test-chat-webhook.js';
import { readNotificationPrefs, type NotificationPrefsReport } from '../../../domain/helpdesk/notifications/read-notification-prefs.js';
import { updateChatWebhook } from '../../../domain/helpdesk/notifications/update-chat-webhook.js';
import { updateNotificationPrefs } from '../../../domain/helpdesk/notifications/update-notification-prefs.js';
import { maskUrl, type ChatAttempt } from '../../../domain/notifications/chat-webhook.js';
import { HttpProblem } from '../../problem.js';
import { callerOf } from '../auth.js';
import type { AgentRouteOptions } from '../agent-route-options.js';
import { routeSchema } from '../route-schema.js';

const TAGS = ['Agent API: notifications'];

const presentPrefs = (report: NotificationPrefsReport): NotificationPrefsView => ({
  email: report.prefs.email,
  email_enabled: report.emailEnabled,
  email_address: report.emailAddress,
});

const presentAttempt = (attempt: ChatAttempt): ChatWebhookAttempt => ({ at: attempt.at, ok: attempt.ok, error: attempt.error, test: attempt.test });

const presentChat = ({ settings, lastAttempt }: ChatWebhookReport): ChatWebhookView => ({
  configured: settings.url !== null,
  last_attempt: lastAttempt ? presentAttempt(lastAttempt) : null,
  url_masked: settings.url === null ? null : maskUrl(settings.url),
  waiting_minutes: settings.waitingMinutes,
  sla_breaches: settings.slaBreaches,
});

export const notificationRoutes: FastifyPluginAsync<AgentRouteOptions> = async (fastify, { ctx }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/notifications',
    {
      schema: routeSchema(
        {
          operationId: 'getNotificationPreferences',
          summary: 'Your email notifications',
          description: 'Which events email you, and when; and whether Finch sends email at all.',
          response: { 200: NotificationPrefsView },
        },
        TAGS,
      ),
    },
    async (request) => presentPrefs(await readNotificationPrefs(ctx, callerOf(request).agent)),
  );

  app.put(
    '/me/notifications',
    {
      schema: routeSchema(
        {
          operationId: 'updateNotificationPreferences',
          summary: 'Choose your email notifications',
          description:
            'Each event `always`, `when_away` (only while you are away or offline when the email goes) or `never`; events left out stay as they are.',
          body: NotificationPrefsInput,
          response: { 200: NotificationPrefsView },
        },
        TAGS,
      ),
    },
    async (request) => presentPrefs(await updateNotificationPrefs(ctx, callerOf(request).agent, request.body.email)),
  );

  app.get(
    '/settings/chat-webhook',
    {
      schema: routeSchema(
        {
          operationId: 'getChatWebhook',
          summary: 'The team’s chat webhook (admin)',
          description: 'Posts for hand-overs waiting longer than N minutes and for SLA breaches. The URL is shown masked.',
          response: { 200: ChatWebhookView },
        },
        TAGS,
      ),
    },
    async (request) => presentChat(await readChatWebhook(ctx, callerOf(request).agent)),
  );

  app.put(
    '/settings/chat-webhook',
    {
      schema: routeSchema(
        {
          operationId: 'updateChatWebhook',
          summary: 'Set the team’s chat webhook (admin)',
          description: 'Fields left out stay as they are; `url: null` removes the webhook. 422 invalid_webhook_url when the URL is not one Finch may post to.',
          body: ChatWebhookInput,
          response: { 200: ChatWebhookView },
        },
        TAGS,
      ),
    },
    async (request) => {
      const { url, waiting_minutes, sla_breaches } = request.body;
      const agent = callerOf(request).agent;
      await updateChatWebhook(ctx, agent, { url, waitingMinutes: waiting_minutes, slaBreaches: sla_breaches });
      return presentChat(await readChatWebhook(ctx, agent));
    },
  );

  app.post(
    '/settings/chat-webhook/test',
    {
      schema: routeSchema(
        {
          operationId: 'testChatWebhook',
          summary: 'Send a test post to the team’s chat webhook (admin)',
          description:
            'Posts a short test message now and answers how it went (it becomes `last_attempt`). 409 chat_webhook_not_set without a webhook; ' +
            '502 chat_webhook_failed when the chat server refused it, did not answer in 10 s or could not be reached (its answer, host only, in `detail`).',
          response: { 200: ChatWebhookAttempt },
        },
        TAGS,
      ),
    },
    async (request) => {
      const attempt = await testChatWebhook(ctx, callerOf(request).agent);
      if (!attempt.ok) throw new HttpProblem(502, 'chat_webhook_failed', `The test post failed: ${attempt.error ?? 'no answer'}.`);
      return presentAttempt(attempt);
    },
  );
};
