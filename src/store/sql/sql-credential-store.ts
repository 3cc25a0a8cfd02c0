/** Credentials over SQL: only hashes of secrets and tokens are ever written. */
import { sql, type Kysely } from 'kysely';
import { CoalescedLookup } from '../../lib/coalesced-lookup.js';
import { KeptWhileUnchanged } from '../../lib/kept-while-unchanged.js';
import { SharedRead } from '../../lib/shared-read.js';
import { type AccessTokenRecord, type ApiTokenRecord, type CredentialStore, DatabaseUnavailableError, type FoundApiToken, type OAuthClient } from '../port.js';
import type { Dialect, SqlScope } from './database.js';
import { prepared, type PreparedQuery } from './prepared.js';
import { AGENT_COLUMNS, agentFrom, prefixed } from './rows.js';
import type { Schema } from './schema.js';

/** Looked up on every Fin API request, so compiled once (see prepared.ts). */
const accessTokenRows = (db: Kysely<Schema>) =>
  db
    .selectFrom('access_tokens as t')
    .innerJoin('oauth_clients as c', 'c.id', 't.client_id')
    .select(['t.token_hash', 't.client_id', 't.expires_at', 'c.revoked_at']);
/**
 * Looked up on every agent API request made with a personal token, with the agent it acts as: one
 * statement, where a second read of the agent was a round trip of its own on PostgreSQL.
 */
const apiTokenRows = (db: Kysely<Schema>) =>
  db
    .selectFrom('api_tokens as t')
    .leftJoin('agents as a', 'a.id', 't.agent_id')
    .select(['t.token_hash', 't.id', 't.name', 't.scope', 't.agent_id', 't.created_at', 't.revoked_at', ...prefixed('a', AGENT_COLUMNS, 'a_')]);
/**
 * PostgreSQL's version of the whole database (`StoreVersion`), read in the token's statement so it
 * costs no round trip: the statement's snapshot (running transactions and the next id) changes with
 * every commit on any node and, on one server, never returns to an earlier value. With the server's
 * start time, because a standby promoted after a failover (or a server restored to a point in time)
 * may give out the same transaction ids again for other writes. PostgreSQL 13 or later, and the
 * primary: on a standby the snapshot lists no running transactions, so it misses some commits.
 */
const SNAPSHOT = sql<string>`pg_current_snapshot()::text || ' ' || pg_postmaster_start_time()::text`.as('store_version');
const accessToken = prepared((db, tokenHash: string) => accessTokenRows(db).where('t.token_hash', '=', tokenHash));
const apiToken = prepared((db, tokenHash: string) => apiTokenRows(db).where('t.token_hash', '=', tokenHash));
/**
 * On PostgreSQL: the tokens of every request that arrived while the previous statement was out.
 * One token, the usual case, is looked up with `=`, several with `= any(…)`: PostgreSQL plans the
 * array form anew on every call (its generic plan, made without the array's length, is costed above
 * the plan for the array at hand, so the plan cache never settles on it), and that planning cost the
 * database about six times the lookup itself (bench/README.md, "Cost per agent change").
 */
const accessTokensWithVersion = byTokenHash(
  prepared((db, tokenHash: string) => accessTokenRows(db).where('t.token_hash', '=', tokenHash).select(SNAPSHOT)),
  prepared((db, tokenHashes: string[]) => accessTokenRows(db).where('t.token_hash', '=', sql<string>`any(${tokenHashes})`).select(SNAPSHOT)),
);
const apiTokensWithVersion = byTokenHash(
  prepared((db, tokenHash: string) => apiTokenRows(db).where('t.token_hash', '=', tokenHash).select(SNAPSHOT)),
  prepared((db, tokenHashes: string[]) => apiTokenRows(db).where('t.token_hash', '=', sql<string>`any(${tokenHashes})`).select(SNAPSHOT)),
);

/** Runs `one` for a single hash and `several` for more (see above). */
function byTokenHash<Row>(one: PreparedQuery<[string], Row>, several: PreparedQuery<[string[]], Row>) {
  return {
    run: (db: Kysely<Schema>, dialect: Dialect, tokenHashes: string[]): Promise<Row[]> =>
      tokenHashes.length === 1 ? one.run(db, dialect, tokenHashes[0]!) : several.run(db, dialect, tokenHashes),
  };
}
/**
 * How token statements are shared (lib/coalesced-lookup.ts): at most 100 tokens in one (a deployment
 * has few in use; a flood of unknown ones splits), at most 1,000 distinct tokens waiting (past it a
 * request is answered 503 at once instead of queueing behind a flood), and a statement out longer
 * than 100 ms (a connection gone quiet) no longer holds the next back.
 */
const SHARING = {
  maxKeys: 100,
  maxWaitingKeys: 1_000,
  stallMs: 100,
  overloaded: () => new DatabaseUnavailableError('Too many token checks are waiting for the database', 1, { reason: 'busy' }),
};

/** Tokens found are kept while nothing is committed (SQLite only); a deployment has few in use. */
const KEPT_TOKENS = 1_000;

/**
 * Over the database each write commits alone (the token endpoint's access tokens, tools); over a
 * write transaction (the unit of work, database.ts's `SqlScope`) they commit with it.
 *
 * A token found outside a transaction comes with the store's version as it was read
 * (`StoreVersion`; the Fin API keeps answers under it). On SQLite that is its counters
 * (store-version.ts), read once for all the requests of an event-loop turn (`SharedRead`), and the
 * tokens found are kept until anything is committed, by any process: a revocation, a new token, any
 * write at all. On PostgreSQL it is the token statement's snapshot, and nothing is kept: only a
 * statement can tell whether another node committed; the requests that arrive while one is out share
 * the next (`CoalescedLookup`). Either way a request only shares a read made after it arrived
 * (docs/decisions.md, "Token lookups that share a statement"). Expiry and revocation
 * are judged on every request (domain/auth/credentials.ts) from the record, so a token that expires
 * is refused the moment it does. Never inside a transaction, whose reads may be of writes it has
 * not committed.
 */
export class SqlCredentialStore implements CredentialStore {
  private readonly db: Kysely<Schema>;
  private readonly dialect: Dialect;
  private readonly keptAccessTokens: KeptWhileUnchanged<AccessTokenRecord> | undefined;
  private readonly keptApiTokens: KeptWhileUnchanged<FoundApiToken> | undefined;
  /**
   * On PostgreSQL over the database (not a transaction): token reads that come with its snapshot,
   * shared by the requests that arrive while one is out (docs/decisions.md, "Token lookups that
   * share a statement").
   */
  private readonly sharedAccessTokens: CoalescedLookup<AccessTokenRecord> | undefined;
  private readonly sharedApiTokens: CoalescedLookup<FoundApiToken> | undefined;
  /** On SQLite over the database: its version, read once for the requests that arrived in one turn. */
  private readonly sharedVersion: SharedRead<string | undefined> | undefined;

  constructor(scope: SqlScope) {
    this.db = scope.db;
    this.dialect = scope.dialect;
    const version = 'notes' in scope ? undefined : scope.version;
    if (version) {
      this.keptAccessTokens = new KeptWhileUnchanged(version, { entries: KEPT_TOKENS });
      this.keptApiTokens = new KeptWhileUnchanged(version, { entries: KEPT_TOKENS });
      this.sharedVersion = new SharedRead(version);
    }
    if (!('notes' in scope) && scope.dialect === 'postgres') {
      this.sharedAccessTokens = new CoalescedLookup<AccessTokenRecord>(async (hashes) => {
        const rows = await accessTokensWithVersion.run(this.db, this.dialect, hashes);
        return new Map(rows.map((row) => [row.token_hash, Object.freeze({ ...accessTokenFrom(row), version: row.store_version })]));
      }, SHARING);
      this.sharedApiTokens = new CoalescedLookup<FoundApiToken>(async (hashes) => {
        const rows = await apiTokensWithVersion.run(this.db, this.dialect, hashes);
        return new Map(rows.map((row) => [row.token_hash, Object.freeze({ ...foundApiTokenFrom(row), version: row.store_version })]));
      }, SHARING);
    }
  }

  async insertClient(client: { id: string; name: string; secretHash: string; at: string }): Promise<void> {
    await this.db
      .insertInto('oauth_clients')
      .values({ id: client.id, name: client.name, secret_hash: client.secretHash, created_at: client.at, revoked_at: null })
      .execute();
  }

  async findClient(id: string): Promise<OAuthClient | undefined> {
    const row = await this.db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();
    return row && clientFrom(row);
  }

  async listClients(): Promise<OAuthClient[]> {
    const rows = await this.db.selectFrom('oauth_clients').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(clientFrom);
  }

  async revokeClient(id: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('oauth_clients')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(at)) }))
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async insertAccessToken(token: { tokenHash: string; clientId: string; expiresAt: string; at: string }): Promise<void> {
    await this.db
      .insertInto('access_tokens')
      .values({ token_hash: token.tokenHash, client_id: token.clientId, expires_at: token.expiresAt, created_at: token.at })
      .execute();
  }

  async findAccessToken(tokenHash: string): Promise<AccessTokenRecord | undefined> {
    if (this.sharedAccessTokens) return this.sharedAccessTokens.find(tokenHash);
    const version = this.keptAccessTokens?.current(await this.sharedVersion?.get());
    const kept = this.keptAccessTokens?.get(version, tokenHash);
    if (kept) return withVersion(kept, version);
    const [row] = await accessToken.run(this.db, this.dialect, tokenHash);
    if (!row) return undefined;
    const record = Object.freeze(accessTokenFrom(row));
    this.keptAccessTokens?.set(version, tokenHash, record);
    return withVersion(record, version);
  }

  async deleteAccessTokensExpiredBefore(at: string): Promise<void> {
    await this.db.deleteFrom('access_tokens').where('expires_at', '<', at).execute();
  }

  async insertApiToken(token: Parameters<CredentialStore['insertApiToken']>[0]): Promise<void> {
    await this.db
      .insertInto('api_tokens')
      .values({
        id: token.id,
        name: token.name,
        token_hash: token.tokenHash,
        scope: token.scope,
        agent_id: token.agentId,
        created_at: token.at,
        revoked_at: null,
      })
      .execute();
  }

  async findApiToken(tokenHash: string): Promise<FoundApiToken | undefined> {
    if (this.sharedApiTokens) return this.sharedApiTokens.find(tokenHash);
    const version = this.keptApiTokens?.current(await this.sharedVersion?.get());
    const kept = this.keptApiTokens?.get(version, tokenHash);
    if (kept) return withVersion(kept, version);
    const [row] = await apiToken.run(this.db, this.dialect, tokenHash);
    if (!row) return undefined;
    const record = Object.freeze(foundApiTokenFrom(row));
    this.keptApiTokens?.set(version, tokenHash, record);
    return withVersion(record, version);
  }

  async listApiTokens(): Promise<ApiTokenRecord[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'scope', 'agent_id', 'created_at', 'revoked_at'])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(apiTokenFrom);
  }

  async revokeApiToken(id: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(at)) }))
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

function clientFrom(row: { id: string; name: string; secret_hash: string; created_at: string; revoked_at: string | null }): OAuthClient {
  return { id: row.id, name: row.name, secretHash: row.secret_hash, createdAt: row.created_at, revokedAt: row.revoked_at };
}

function apiTokenFrom(row: {
  id: string;
  name: string;
  scope: 'fin' | 'agent';
  agent_id: string | null;
  created_at: string;
  revoked_at: string | null;
}): ApiTokenRecord {
  return { id: row.id, name: row.name, scope: row.scope, agentId: row.agent_id, createdAt: row.created_at, revokedAt: row.revoked_at };
}

function accessTokenFrom(row: { client_id: string; expires_at: string; revoked_at: string | null }): AccessTokenRecord {
  return { clientId: row.client_id, expiresAt: row.expires_at, revoked: row.revoked_at !== null };
}

/** A token with the agent it acts as (frozen: the SQLite store shares what it keeps). */
function foundApiTokenFrom(row: Parameters<typeof apiTokenFrom>[0] & Parameters<typeof agentFrom>[0]): FoundApiToken {
  return { ...apiTokenFrom(row), agent: row.a_id === null ? null : Object.freeze(agentFrom(row, 'a_')) };
}

/** The record as read at `version` (a copy: kept records are shared and frozen), or as it is without one. */
function withVersion<T extends object>(record: T, version: string | undefined): T & { version?: string } {
  return version === undefined ? record : { ...record, version };
}
