/**
 * Agents as accounts: sign-in, sessions, administration. Reads run anywhere; writes run in the
 * helpdesk's unit of work (`HelpdeskTransaction.accounts`, helpdesk-port.ts), except two kinds of
 * per-request bookkeeping that must not take the write lock on every request: the rate-limit
 * counters (`rateLimits`) and a session's last-seen time (`touchSession`).
 */
import type { Agent, AgentRole } from '../domain/model.js';
import type { RateLimitStore } from './rate-limit-port.js';
import type { NewAgent } from './port.js';

export interface SessionRecord {
  /** The agent signed in, as the agent is now (read with the session: every request needs both). */
  agent: Agent;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  revokedAt: string | null;
}

export interface AgentChanges {
  name?: string;
  alias?: string | null;
  role?: AgentRole;
  active?: boolean;
  passwordHash?: string;
}

/** What an agent's account reads: outside a transaction (no lock), or inside one (its own writes seen). */
export interface AccountReader {
  /** An agent by id, active or not. */
  findAgent(id: string): Promise<Agent | undefined>;
  /** The active agents, oldest first (whom conversations may be assigned to). */
  listAgents(): Promise<Agent[]>;
  /** Every agent, active or not, oldest first. */
  listAllAgents(): Promise<Agent[]>;
  /**
   * The agent with this email and its password hash. `email` is normalized (domain/auth/email.ts),
   * as every stored email is.
   */
  findCredentials(email: string): Promise<{ agent: Agent; passwordHash: string | null } | undefined>;
  /** The agent's password hash: null when it has none, undefined when there is no such agent. */
  passwordHashOf(agentId: string): Promise<string | null | undefined>;
  findSession(tokenHash: string): Promise<SessionRecord | undefined>;
}

/** An account's writes, inside a `HelpdeskTransaction`. Timestamps are ISO 8601 strings. */
export interface AccountWriter extends AccountReader {
  /** Reads an agent and keeps concurrent writers of it off until the transaction ends (PostgreSQL: FOR NO KEY UPDATE). */
  lockAgent(id: string): Promise<Agent | undefined>;
  /**
   * How many agents are active admins, keeping concurrent writers of those agents off until the
   * transaction ends, so that "at least one active admin" (docs/decisions.md) holds however many
   * admins change at once. Call it before locking a single agent: the admins are locked in id
   * order, so two transactions cannot deadlock over them.
   */
  countActiveAdmins(): Promise<number>;
  /** Inserts an agent; fails with `EmailTakenError` when the email is in use. */
  insertAgent(agent: NewAgent): Promise<Agent>;
  /** Applies the changes, sets updatedAt to `at`; undefined when there is no such agent. */
  updateAgent(id: string, changes: AgentChanges, at: string): Promise<Agent | undefined>;
  /**
   * Sets the agent's password hash if it is still `expected` (a password changed meanwhile is not
   * overwritten); `at` also marks the agent updated, absent for a rehash. False when it was not.
   */
  replacePasswordHash(agentId: string, expected: string, replacement: string, at?: string): Promise<boolean>;
  insertSession(session: { tokenHash: string; agentId: string; csrfToken: string; at: string; expiresAt: string }): Promise<void>;
  /** Ends one session (an unknown or ended one: nothing happens). */
  revokeSession(tokenHash: string, at: string): Promise<void>;
  /** Ends every session of the agent, except the one with `keepTokenHash` when given. */
  revokeSessionsOf(agentId: string, at: string, keepTokenHash?: string): Promise<void>;
}

/**
 * The accounts outside a transaction: the reads, and the per-request bookkeeping that commits on
 * its own. (The SQL store also offers `AccountWriter`'s methods outside a transaction, each
 * committing alone, for tests and tools; use cases write through the unit of work.)
 */
export interface AccountStore extends AccountReader {
  /** Counters shared by every Finch process on this data: sign-in and password attempts, token requests. */
  readonly rateLimits: RateLimitStore;
  /** Marks the session used now (written at most every 5 minutes by its caller). */
  touchSession(tokenHash: string, at: string): Promise<void>;
}
