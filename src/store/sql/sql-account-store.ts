/** Agents as accounts over SQL: credentials, administration and sign-in sessions (stored hashed). */
import type { Kysely } from 'kysely';
import type { Agent } from '../../domain/model.js';
import type { AccountStore, AgentChanges, SessionRecord } from '../helpdesk-port.js';
import type { Database, Dialect } from './database.js';
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

export class SqlAccountStore implements AccountStore {
  private readonly db: Kysely<Schema>;
  private readonly dialect: Dialect;
  readonly rateLimits: SqlRateLimitStore;

  constructor(database: Database) {
    this.db = database.db;
    this.dialect = database.dialect;
    this.rateLimits = new SqlRateLimitStore(database);
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

  async listAllAgents(): Promise<Agent[]> {
    const rows = await this.db.selectFrom('agents').select(AGENT_COLUMNS).orderBy('created_at').orderBy('id').execute();
    return rows.map((row) => agentFrom(row));
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
    const row = await this.db.selectFrom('agents').select(AGENT_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && agentFrom(row);
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

  async touchSession(tokenHash: string, at: string): Promise<void> {
    await this.db.updateTable('agent_sessions').set({ last_seen_at: at }).where('token_hash', '=', tokenHash).execute();
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
