/** Notifications beyond the open tab: your email choices (Account) and the team's chat webhook (Admin → Chat notifications). */
import type {
  ChatWebhookAttempt,
  ChatWebhookInput,
  ChatWebhookView,
  NotificationPrefsInput,
  NotificationPrefsView,
} from '../../../src/contract/notifications.js';
import { request } from './client.js';

export type { ChatWebhookAttempt, ChatWebhookView, NotificationPrefsView };

export const getNotificationPrefs = () => request<NotificationPrefsView>('GET', '/me/notifications');
export const saveNotificationPrefs = (input: NotificationPrefsInput) => request<NotificationPrefsView>('PUT', '/me/notifications', input);

export const getChatWebhook = () => request<ChatWebhookView>('GET', '/settings/chat-webhook');
export const saveChatWebhook = (input: ChatWebhookInput) => request<ChatWebhookView>('PUT', '/settings/chat-webhook', input);
/** Posts a test message now; 502 `chat_webhook_failed` when the chat server did not take it (the outcome is then `last_attempt`). */
export const testChatWebhook = () => request<ChatWebhookAttempt>('POST', '/settings/chat-webhook/test', {});
