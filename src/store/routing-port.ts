/**
 * Automatic assignment's data (domain/routing/): the `routing` setting, each agent's capacity and
 * turn, the waiting conversations in routing order. Over a unit of work (`HelpdeskTransaction.routing`)
 * the writes join its transaction; `lockRouting` makes routing passes (on every node) take turns.
 */
import type { RoutingSettings } from '../domain/routing/routing-settings.js';

/** An active human agent as routing weighs them. */
export interface RoutingAgent {
  id: string;
  /** Their own capacity; null: the team's default. */
  capacity: number | null;
  /** Open conversations assigned to them. */
  open: number;
  /** When routing last gave them a conversation (ISO); null: never. */
  lastRoutedAt: string | null;
}

/** Whether a routing pass has anything to do, read in one statement. */
export interface RoutingWork {
  settings: RoutingSettings;
  /** Some open conversation has nobody assigned (Waiting). */
  waiting: boolean;
  /** Some agent who is away (chosen, with an inbox connected) holds an open conversation. */
  awayWithWork: boolean;
}

export interface RoutingStore {
  getRoutingSettings(): Promise<RoutingSettings>;
  /** One statement: the settings, whether anything waits, whether an away agent holds open work (at `now`, ISO). */
  routingWork(now: string): Promise<RoutingWork>;
  /**
   * In a unit of work: waits until no other routing pass or routing change (any node) holds the
   * routing lock, and holds it until the transaction ends (PostgreSQL: a transaction-scoped
   * advisory lock; SQLite write transactions take turns anyway).
   */
  lockRouting(): Promise<void>;
  putRoutingSettings(settings: RoutingSettings, at: string): Promise<void>;
  /** Every active human agent with their capacity, open conversations and turn. */
  routingAgents(): Promise<RoutingAgent[]>;
  /**
   * Up to `limit` waiting conversations' ids, in routing order: most overdue first (`reply_due_at`,
   * those without one after), then the longest waiting (`assigned_at`), then by id.
   */
  waitingConversationIds(limit: number): Promise<string[]>;
  /** Notes that routing gave `agentId` a conversation (`lastRoutedAt`). */
  markRouted(agentId: string, stamp: string): Promise<void>;
  /** The agent's own capacity (null: the team's default). */
  setCapacity(agentId: string, capacity: number | null, at: string): Promise<void>;
  /** Each agent's own capacity (null: the team's default), by agent id; active humans only. */
  capacities(): Promise<Map<string, number | null>>;
}
