/** Presence: the agent's own (`/me/presence`), the team's idle time, and which conversation this inbox shows (`/me/viewing`). */
import type { PresenceInput, PresenceSettingsView, PresenceView } from '../../../src/contract/presence.js';
import { request } from './client.js';

export type { PresenceView, PresenceSettingsView };

export const getMyPresence = () => request<PresenceView>('GET', '/me/presence');
export const putMyPresence = (input: PresenceInput) => request<PresenceView>('PUT', '/me/presence', input);
export const putViewing = (connectionId: string, conversationId: string | null) =>
  request<null>('PUT', '/me/viewing', { connection_id: connectionId, conversation_id: conversationId });
export const getPresenceSettings = () => request<PresenceSettingsView>('GET', '/settings/presence');
export const putPresenceSettings = (input: PresenceSettingsView) => request<PresenceSettingsView>('PUT', '/settings/presence', input);
