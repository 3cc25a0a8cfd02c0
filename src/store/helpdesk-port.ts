/**
 * What Finch's own helpdesk needs beyond the Fin API's store: settings, and the fail-safe that
 * routes conversations to people when Fin cannot be reached. Implemented by the SQL store.
 */
import type { DeliveryState, FinSettings } from '../domain/fin-settings.js';

export interface SettingsStore {
  getFinSettings(): Promise<FinSettings>;
  putFinSettings(settings: FinSettings, at: string): Promise<void>;
  getDeliveryState(): Promise<DeliveryState>;
  /** Applies a change to the delivery state atomically (several dispatchers may report at once). */
  updateDeliveryState(change: (state: DeliveryState) => DeliveryState, at: string): Promise<DeliveryState>;
}

export interface FailSafeStore {
  /**
   * Fin has been unreachable since `since`: every open conversation the Fin agent holds that
   * changed since then, or has a sync event Fin has not received, goes to the human queue
   * (unassigned, `handoverReason` set), with a sync event so Fin learns of it once it is back.
   * Returns the ids of the conversations routed.
   */
  routeFinConversationsToPeople(since: string, reason: string, at: string): Promise<string[]>;
}
