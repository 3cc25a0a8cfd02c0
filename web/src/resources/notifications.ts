/** Your email choices and (admins) the team's chat webhook. */
import { useQuery } from '@tanstack/react-query';
import { getChatWebhook, getNotificationPrefs } from '../api/notifications.js';
import { keys } from './keys.js';

export const useNotificationPrefs = () => useQuery({ queryKey: keys.notificationPrefs, queryFn: getNotificationPrefs });
export const useChatWebhook = () => useQuery({ queryKey: keys.chatWebhook, queryFn: getChatWebhook });
