/**
 * A real Finch for tests: the HTTP server on a loopback port over one of the three stores, with
 * an OAuth client and a token ready, and a clock the test can move.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { FinClient, fetchAccessToken } from '../../src/client/fin-client.js';
import type { Variant } from '../../src/contract/models.js';
import { createClient } from '../../src/domain/auth/credentials.js';
import type { FinSettingsOverrides } from '../../src/domain/fin-settings.js';
import type { HelpdeskContext } from '../../src/domain/helpdesk/context.js';
import { helpdeskContext, openFinch, recordFinActivity, type Finch } from '../../src/finch.js';
import { buildServer, type ServerConfig } from '../../src/http/server.js';
import { MemoryCredentialStore } from '../../src/store/memory/memory-credential-store.js';
import { MemoryFinStore } from '../../src/store/memory/memory-fin-store.js';
import type { AgentDirectory, CredentialStore, FinStore } from '../../src/store/port.js';
import type { Database } from '../../src/store/sql/database.js';
import { createDatabase } from './postgres-server.js';

export type Backend = 'memory' | 'sqlite' | 'postgres';

/** The backends this run can exercise; PostgreSQL is missing only when global setup said so loudly. */
export function backends(): Backend[] {
  return inject('postgresUrl') ? ['memory', 'sqlite', 'postgres'] : ['memory', 'sqlite'];
}

export function sqlBackends(): Backend[] {
  return backends().filter((backend) => backend !== 'memory');
}

export class TestClock {
  private offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface TestFinch {
  backend: Backend;
  baseUrl: string;
  apiUrl: string;
  store: FinStore & AgentDirectory;
  credentials: CredentialStore;
  database: Database | undefined;
  /** The PostgreSQL database it uses, for another Finch on the same data (`databaseUrl` option). */
  databaseUrl: string | undefined;
  /** The SQL stores and the helpdesk side (absent on the in-memory store, which serves only the Fin API). */
  finch: Finch | undefined;
  helpdesk: HelpdeskContext | undefined;
  /** How many committed transactions wrote to the outbox (what wakes the dispatcher). */
  outboxWrites: () => number;
  clientId: string;
  clientSecret: string;
  token: string;
  clock: TestClock;
  client(variant: Variant, options?: { signingSecret?: string; token?: string }): FinClient;
  /** Everything stored, to prove that a refused request changed nothing. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

export interface TestFinchOptions {
  signingSecret?: string;
  signatureToleranceSeconds?: number;
  tokenTtlSeconds?: number;
  tokenRateLimitPerMinute?: number;
  bodyLimitBytes?: number;
  loginRateLimit?: number;
  /** FINCH_TRUST_PROXY's value. */
  trustProxy?: boolean | number | string;
  /** Fin settings as if given by FINCH_FIN_* variables. */
  fin?: FinSettingsOverrides;
  /** FINCH_PUBLIC_URL (file links are made from it; HTTPS enables attachments). */
  publicUrl?: string;
  attachmentLimitBytes?: number;
  /** PostgreSQL only: serve this existing database (another test Finch's) instead of a new one, as a second node would. */
  databaseUrl?: string;
  eventKeepAliveMs?: number;
  eventCoalesceMs?: number;
  /** Called where the server would wake its router (the agent API's `ctx.routing.wake`). */
  routingNeeded?: () => void;
}

export async function startTestFinch(backend: Backend, options: TestFinchOptions = {}): Promise<TestFinch> {
  const clock = new TestClock();
  let store: FinStore & AgentDirectory;
  let credentials: CredentialStore;
  let database: Database | undefined;
  let databaseUrl: string | undefined;
  let opened: Finch | undefined;
  let helpdesk: HelpdeskContext | undefined;
  let outboxWrites = 0;
  let closeData = async () => {};
  let ping = async () => {};

  if (backend === 'memory') {
    store = new MemoryFinStore();
    credentials = new MemoryCredentialStore();
  } else {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-test-'));
    if (options.databaseUrl !== undefined && backend !== 'postgres') throw new Error('only PostgreSQL databases are shared between test servers');
    databaseUrl = backend === 'postgres' ? (options.databaseUrl ?? (await createDatabase(inject('postgresUrl')!))) : undefined;
    const finch = await openFinch({ dataDir, databaseUrl, dbPoolSize: 20 });
    ({ store, credentials, database, ping } = finch);
    opened = finch;
    helpdesk = helpdeskContext(
      finch,
      { fin: options.fin ?? {}, publicUrl: options.publicUrl ?? 'http://127.0.0.1', attachmentUrlTtlSeconds: 3600 },
      { now: clock.now, outboxWritten: () => outboxWrites++, routingNeeded: () => options.routingNeeded?.() },
    );
    closeData = async () => {
      await finch.close();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }

  const config: ServerConfig = {
    publicUrl: options.publicUrl ?? 'http://127.0.0.1',
    signingSecret: options.signingSecret,
    signatureToleranceSeconds: options.signatureToleranceSeconds ?? 300,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    tokenRateLimitPerMinute: options.tokenRateLimitPerMinute ?? 100_000,
    bodyLimitBytes: options.bodyLimitBytes ?? 1_048_576,
    logLevel: 'silent',
    loginRateLimit: options.loginRateLimit ?? 1000,
    trustProxy: options.trustProxy ?? false,
    attachmentLimitBytes: options.attachmentLimitBytes ?? 10_485_760,
  };
  const app = await buildServer(
    config,
    { store, credentials, ping, ...(helpdesk ? { helpdesk, recordActivity: recordFinActivity } : {}) },
    { logger: false, now: clock.now, eventKeepAliveMs: options.eventKeepAliveMs, eventCoalesceMs: options.eventCoalesceMs },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${port}`;
  const { clientId, clientSecret } = await createClient(credentials, 'tests', clock.now());
  const { accessToken } = await fetchAccessToken(`${baseUrl}/oauth/token`, clientId, clientSecret);

  return {
    backend,
    baseUrl,
    apiUrl: `${baseUrl}/api/fin`,
    store,
    credentials,
    database,
    databaseUrl,
    finch: opened,
    helpdesk,
    outboxWrites: () => outboxWrites,
    clientId,
    clientSecret,
    token: accessToken,
    clock,
    client: (variant, clientOptions = {}) =>
      new FinClient({
        baseUrl: `${baseUrl}/api/fin`,
        variant,
        token: clientOptions.token ?? accessToken,
        ...(clientOptions.signingSecret ? { signingSecret: clientOptions.signingSecret } : {}),
        now: clock.now,
      }),
    dump: () => dumpStore(store, database),
    close: async () => {
      await app.close();
      await closeData();
    },
  };
}

const TABLES = ['end_users', 'agents', 'conversations', 'messages', 'oauth_clients', 'access_tokens', 'api_tokens', 'outbox_events', 'settings'] as const;

async function dumpStore(store: FinStore, database: Database | undefined): Promise<string> {
  if (!database) {
    // The in-memory store keeps its data in private maps; a test may look inside.
    const internals = store as unknown as Record<string, Map<string, unknown>>;
    return JSON.stringify(['users', 'agents', 'conversations', 'messages'].map((name) => [...internals[name]!.entries()]));
  }
  const tables = [];
  for (const table of TABLES) {
    const key = table === 'access_tokens' ? 'token_hash' : table === 'settings' ? 'key' : 'id';
    tables.push(await database.db.selectFrom(table).selectAll().orderBy(key).execute());
  }
  return JSON.stringify(tables);
}
