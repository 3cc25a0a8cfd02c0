/**
 * What a helpdesk sends to Fin's webhook endpoint (spec §7, "Helpdesk → Fin"):
 * `POST {fin host}/hooks/standalone/custom_helpdesk_conversation_event/{integration_id}` with
 * `X-Webhook-Key` and one of these bodies.
 */
import Type, { type Static } from 'typebox';

export const WEBHOOK_PATH_PREFIX = '/hooks/standalone/custom_helpdesk_conversation_event/';

/**
 * Synchronize: Fin pulls the conversation's current state. The docs say `event_type` is "omitted
 * or null" for a sync; Finch omits it.
 */
export const SyncEvent = Type.Object(
  { conversation_id: Type.String({ minLength: 1 }), event_type: Type.Optional(Type.Null()) },
  { additionalProperties: false },
);
export type SyncEvent = Static<typeof SyncEvent>;

/** Typing: shows "… is typing" in the Fin Messenger for a few seconds; no sync. */
export const TypingEvent = Type.Object(
  {
    conversation_id: Type.String({ minLength: 1 }),
    event_type: Type.Literal('agent_typing'),
    data: Type.Object({
      agent: Type.Object({
        id: Type.String({ minLength: 1 }),
        user_type: Type.Literal('agent'),
        name: Type.Union([Type.String(), Type.Null()]),
        email: Type.Union([Type.String(), Type.Null()]),
      }),
    }),
  },
  { additionalProperties: false },
);
export type TypingEvent = Static<typeof TypingEvent>;

export const WebhookEvent = Type.Union([SyncEvent, TypingEvent]);
export type WebhookEvent = Static<typeof WebhookEvent>;
