/** Notifications beyond the open tab: your email choices (Account) and the team's chat webhook (Admin → Chat notifications). */
import type { ChatWebhookInput, ChatWebhookView, NotificationPrefsInput, NotificationPrefsView } from '../../../src/contract/notifications.js';
import { request } from './client.js';

export type { ChatWebhookView, NotificationPrefsView };

export const getNotificationPrefs = () => request<NotificationPrefsView>('GET', '/me/notifications');
export const saveNotificationPrefs = (input: NotificationPrefsInput) => request<NotificationPrefsView>('PUT', '/me/notifications', input);

export const getChatWebhook = () => request<ChatWebhookView>('GET', '/settings/chat-webhook');
export const saveChatWebhook = (input: ChatWebhookInput) => request<ChatWebhookView>('PUT', '/settings/chat-webhook', input);
