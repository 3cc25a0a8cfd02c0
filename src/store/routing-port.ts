/** Automatic assignment's data (domain/routing/). */
import type { RoutingSettings } from '../domain/routing/routing-settings.js';

export interface RoutingStore {
  getRoutingSettings(): Promise<RoutingSettings>;
}
