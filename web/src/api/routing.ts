/** Automatic assignment's settings (Admin → Routing); agents' own capacity is patched through api/agents.ts. */
import type { RoutingSettingsBody } from '../../../src/contract/routing.js';
import { request } from './client.js';

export type RoutingSettings = RoutingSettingsBody;

export const getRouting = () => request<RoutingSettings>('GET', '/settings/routing');
export const saveRouting = (settings: RoutingSettings) => request<RoutingSettings>('PUT', '/settings/routing', settings);
