/**
 * Notifications beyond the open tab in the agent API (issue 12, item 4): an agent's email choices
 * (`/me/notifications`) and the team's chat webhook (`/settings/chat-webhook`, admins).
 */
import Type, { type Static } from 'typebox';

const Choice = Type.Union([Type.Literal('always'), Type.Literal('when_away'), Type.Literal('never')], {
  description: 'always; when_away: only while you are away or offline when the email would go; never',
});

const EMAIL_EVENTS = {
  handover: 'A hand-over is waiting for a person (not sent if someone is assigned within 5 s)',
  assigned: 'A conversation was assigned to you (not when you took it yourself)',
  customer_reply: 'A customer replied in a conversation you hold',
  sla: 'An SLA target is about to be missed (yours, or any while nobody is assigned)',
} as const;

export const EmailChoices = Type.Object(
  {
    handover: Type.Union([Choice], { description: EMAIL_EVENTS.handover }),
    assigned: Type.Union([Choice], { description: EMAIL_EVENTS.assigned }),
    customer_reply: Type.Union([Choice], { description: EMAIL_EVENTS.customer_reply }),
    sla: Type.Union([Choice], { description: EMAIL_EVENTS.sla }),
  },
  { additionalProperties: false },
);

export const NotificationPrefsView = Type.Object(
  {
    email: EmailChoices,
    email_enabled: Type.Boolean({ description: 'Finch can send email (FINCH_SMTP_URL is set); while false nothing is emailed' }),
    email_address: Type.String({ description: 'Where your emails go (your account’s address)' }),
  },
  { additionalProperties: false },
);
export type NotificationPrefsView = Static<typeof NotificationPrefsView>;

export const NotificationPrefsInput = Type.Object(
  { email: Type.Partial(EmailChoices, { additionalProperties: false, description: 'Events left out stay as they are' }) },
  { additionalProperties: false },
);
export type NotificationPrefsInput = Static<typeof NotificationPrefsInput>;

export const ChatWebhookAttempt = Type.Object(
  {
    at: Type.String({ format: 'date-time', description: 'When the post was answered or failed' }),
    ok: Type.Boolean({ description: 'The chat server accepted it (2xx)' }),
    error: Type.Union([Type.String(), Type.Null()], { description: 'Why it failed, naming the host only, e.g. "hooks.slack.com answered 302"; null when ok' }),
    test: Type.Boolean({ description: 'A test post rather than a notification' }),
  },
  { additionalProperties: false },
);
export type ChatWebhookAttempt = Static<typeof ChatWebhookAttempt>;

export const ChatWebhookView = Type.Object(
  {
    configured: Type.Boolean(),
    last_attempt: Type.Union([ChatWebhookAttempt, Type.Null()], {
      description: 'The last post to the webhook since its URL was set (a notification or a test post); null: none yet',
    }),
    url_masked: Type.Union([Type.String(), Type.Null()], { description: 'The URL with its secret part hidden; the whole URL is never shown again' }),
    waiting_minutes: Type.Integer({ minimum: 0, description: 'Post when a hand-over has waited this long with nobody assigned; 0: never' }),
    sla_breaches: Type.Boolean({ description: 'Post when an SLA target is missed' }),
  },
  { additionalProperties: false },
);
export type ChatWebhookView = Static<typeof ChatWebhookView>;

export const ChatWebhookInput = Type.Object(
  {
    url: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 2048 }), Type.Null()], {
        description:
          'An incoming-webhook URL taking Slack’s JSON {"text": …} (Slack, Mattermost, Rocket.Chat, Google Chat): https://, or http:// on localhost; null removes it; left out, it stays',
      }),
    ),
    waiting_minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_080 })),
    sla_breaches: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ChatWebhookInput = Static<typeof ChatWebhookInput>;
