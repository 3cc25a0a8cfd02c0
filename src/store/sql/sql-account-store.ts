/** Agents as accounts over SQL: credentials, administration and sign-in sessions (stored hashed). */
import type { Kysely } from 'kysely';
import { newId } from '../../domain/ids.js';
import type { Agent } from '../../domain/model.js';
import type { AccountStore, AccountWriter, AgentChanges, SessionRecord } from '../account-port.js';
import { EmailTakenError, type NewAgent } from '../port.js';
import type { Database, Dialect, SqlScope } from './database.js';
import { prepared } from './prepared.js';
import { SqlRateLimitStore } from './sql-rate-limit-store.js';
import { AGENT_COLUMNS, agentFrom, prefixed } from './rows.js';
import type { Schema } from './schema.js';

/** Read on every request made with a session cookie, with its agent: one statement for both. */
const sessionByHash = prepared((db, tokenHash: string) =>
  db
    .selectFrom('agent_sessions as s')
    .innerJoin('agents as a', 'a.id', 's.agent_id')
    .select(['s.csrf_token', 's.created_at', 's.expires_at', 's.last_seen_at', 's.revoked_at', ...prefixed('a', AGENT_COLUMNS, 'a_')])
    .where('s.token_hash', '=', tokenHash),
);

/** Read on every agent API request made with a personal token (its agent), so compiled once too. */
const agentById = prepared((db, id: string) => db.selectFrom('agents').select(AGENT_COLUMNS).where('id', '=', id));
const agentByIdForUpdate = prepared((db, id: string) => db.selectFrom('agents').select(AGENT_COLUMNS).where('id', '=', id).forNoKeyUpdate());

/**
 * Accounts over a scope (database.ts): over the database each write commits alone; over a write
 * transaction (the unit of work) they commit with it. On SQLite the transaction's BEGIN IMMEDIATE
 * already serializes writers, so the locks below are PostgreSQL's only.
 */
export class SqlAccounts implements AccountWriter {
  protected readonly db: Kysely<Schema>;
  protected readonly dialect: Dialect;

  constructor(scope: SqlScope) {
    ({ db: this.db, dialect: this.dialect } = scope);
  }

  async findAgent(id: string, lock = false): Promise<Agent | undefined> {
    const [row] = await (lock && this.dialect === 'postgres' ? agentByIdForUpdate : agentById).run(this.db, this.dialect, id);
    return row && agentFrom(row);
  }

  lockAgent(id: string): Promise<Agent | undefined> {
    return this.findAgent(id, true);
  }

  async countActiveAdmins(): Promise<number> {
    const query = this.db.selectFrom('agents').select('id').where('role', '=', 'admin').where('active', '=', 1).orderBy('id');
    // Locked in id order (the sort runs below the lock), so concurrent counters queue instead of
    // deadlocking; one that waited re-reads the rows it then locks, seeing a demotion just committed.
    return (await (this.dialect === 'postgres' ? query.forNoKeyUpdate() : query).execute()).length;
  }

  async listAgents(): Promise<Agent[]> {
    const rows = await this.db.selectFrom('agents').select(AGENT_COLUMNS).where('active', '=', 1).orderBy('created_at').orderBy('id').execute();
    return rows.map((row) => agentFrom(row));
  }

  async listAllAgents(): Promise<Agent[]> {
    const rows = await this.db.selectFrom('agents').select(AGENT_COLUMNS).orderBy('created_at').orderBy('id').execute();
    return rows.map((row) => agentFrom(row));
  }

  async insertAgent(agent: NewAgent): Promise<Agent> {
    const id = newId('agent');
    const inserted = await this.db
      .insertInto('agents')
      .values({
        id,
        name: agent.name,
        email: agent.email,
        alias: agent.alias,
        photo_url: agent.photoUrl,
        role: agent.role,
        is_fin: agent.isFin ? 1 : 0,
        active: 1,
        password_hash: agent.passwordHash,
        created_at: agent.at,
        updated_at: agent.at,
      })
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) throw new EmailTakenError(agent.email);
    return (await this.findAgent(id))!;
  }

  async findCredentials(email: string): Promise<{ agent: Agent; passwordHash: string | null } | undefined> {
    // Stored emails are normalized (migration 0006); lower(email) is what the unique index holds.
    const row = await this.db
      .selectFrom('agents')
      .select([...AGENT_COLUMNS, 'password_hash'])
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
      .executeTakeFirst();
    return row && { agent: agentFrom(row), passwordHash: row.password_hash };
  }

  async passwordHashOf(agentId: string): Promise<string | null | undefined> {
    const row = await this.db.selectFrom('agents').select('password_hash').where('id', '=', agentId).executeTakeFirst();
    return row?.password_hash;
  }

  async replacePasswordHash(agentId: string, expected: string, replacement: string, at?: string): Promise<boolean> {
    const result = await this.db
      .updateTable('agents')
      .set({ password_hash: replacement, ...(at === undefined ? {} : { updated_at: at }) })
      .where('id', '=', agentId)
      .where('password_hash', '=', expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async updateAgent(id: string, changes: AgentChanges, at: string): Promise<Agent | undefined> {
    await this.db
      .updateTable('agents')
      .set({
        ...(changes.name === undefined ? {} : { name: changes.name }),
        ...(changes.alias === undefined ? {} : { alias: changes.alias }),
        ...(changes.role === undefined ? {} : { role: changes.role }),
        ...(changes.active === undefined ? {} : { active: changes.active ? 1 : 0 }),
        ...(changes.passwordHash === undefined ? {} : { password_hash: changes.passwordHash }),
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
    return this.findAgent(id);
  }

  async insertSession(session: { tokenHash: string; agentId: string; csrfToken: string; at: string; expiresAt: string }): Promise<void> {
    await this.db
      .insertInto('agent_sessions')
      .values({
        token_hash: session.tokenHash,
        agent_id: session.agentId,
        csrf_token: session.csrfToken,
        created_at: session.at,
        expires_at: session.expiresAt,
        last_seen_at: session.at,
        revoked_at: null,
      })
      .execute();
  }

  async findSession(tokenHash: string): Promise<SessionRecord | undefined> {
    const [row] = await sessionByHash.run(this.db, this.dialect, tokenHash);
    return (
      row && {
        agent: agentFrom(row, 'a_'),
        csrfToken: row.csrf_token,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        lastSeenAt: row.last_seen_at,
        revokedAt: row.revoked_at,
      }
    );
  }

  async revokeSession(tokenHash: string, at: string): Promise<void> {
    await this.db.updateTable('agent_sessions').set({ revoked_at: at }).where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).execute();
  }

  async revokeSessionsOf(agentId: string, at: string, keepTokenHash?: string): Promise<void> {
    let query = this.db.updateTable('agent_sessions').set({ revoked_at: at }).where('agent_id', '=', agentId).where('revoked_at', 'is', null);
    if (keepTokenHash !== undefined) query = query.where('token_hash', '<>', keepTokenHash);
    await query.execute();
  }
}

/** The accounts over the database: `SqlAccounts` plus the per-request bookkeeping that commits alone. */
export class SqlAccountStore extends SqlAccounts implements AccountStore {
  readonly rateLimits: SqlRateLimitStore;

  constructor(database: Database) {
    super(database);
    this.rateLimits = new SqlRateLimitStore(database);
  }

  async touchSession(tokenHash: string, at: string): Promise<void> {
    await this.db.updateTable('agent_sessions').set({ last_seen_at: at }).where('token_hash', '=', tokenHash).execute();
  }
}
