/**
 * Finch's server as `finch start` builds it (its own logger settings, its own timeouts), over
 * SQLite or PostgreSQL, on a loopback port: for tests of what the server does to every request
 * (headers, timeouts, log lines) rather than what one route does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createClient, issueAccessToken } from '../../src/domain/auth/credentials.js';
import { hashPassword } from '../../src/domain/auth/secrets.js';
import { helpdeskContext, openFinch, recordFinActivity, type Finch } from '../../src/finch.js';
import { buildServer, type ServerOptions } from '../../src/http/server.js';
import type { HttpTimeouts } from '../../src/http/timeouts.js';
import { SqlSignatureReportStore } from '../../src/store/sql/sql-signature-report-store.js';
import type { Backend } from '../support/finch.js';
import { createDatabase } from '../support/postgres-server.js';

export const ADMIN_EMAIL = 'ada@example.com';
export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface RunningServer {
  baseUrl: string;
  finch: Finch;
  /** The PostgreSQL database it serves, for a second node on the same data. */
  databaseUrl: string | undefined;
  /** A Fin API access token (OAuth client credentials). */
  finToken: string;
  clientId: string;
  clientSecret: string;
  /** Every log line the server wrote, as written. */
  log: () => string;
  close: () => Promise<void>;
}

export async function startServer(
  backend: Backend,
  options: {
    publicUrl?: string;
    timeouts?: Partial<HttpTimeouts>;
    logLevel?: string;
    server?: ServerOptions;
    /** More settings, as environment variables (FINCH_SIGNING_SECRET, FINCH_FIN_ALLOWED_IPS, …). */
    env?: Record<string, string>;
    /** PostgreSQL only: serve this existing database, as a second node would. */
    databaseUrl?: string;
  } = {},
): Promise<RunningServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-process-'));
  const databaseUrl = backend === 'postgres' ? (options.databaseUrl ?? (await createDatabase(inject('postgresUrl')!))) : undefined;
  const config = loadConfig({
    FINCH_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    FINCH_PUBLIC_URL: options.publicUrl ?? 'https://finch.example.com',
    FINCH_LOG_LEVEL: options.logLevel ?? 'info',
    ...options.env,
  });
  const finch = await openFinch(config);
  const helpdesk = helpdeskContext(finch, config);
  let log = '';
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log += chunk.toString();
      done();
    },
  });
  const signatureReport = new SqlSignatureReportStore(finch.database);
  const app = await buildServer(
    config,
    { ...finch, helpdesk, signatureReport, recordActivity: recordFinActivity },
    { logStream, timeouts: options.timeouts, ...options.server },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  await ensureAdmin(finch);
  const { clientId, clientSecret } = await createClient(finch.credentials, 'tests', new Date());
  // Issued without the token endpoint, which FINCH_FIN_ALLOWED_IPS may close to this test's address.
  const grant = await issueAccessToken(finch.credentials, { clientId, clientSecret }, 3600, new Date());
  if (!grant.ok) throw new Error('the test client could not get a token');
  return {
    baseUrl,
    finch,
    databaseUrl,
    finToken: grant.accessToken,
    clientId,
    clientSecret,
    log: () => log,
    close: async () => {
      await app.close();
      await finch.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Ada, the admin; already there when this is a second node on the same database. */
async function ensureAdmin(finch: Finch): Promise<void> {
  if ((await finch.accounts.listAllAgents()).some((agent) => agent.email === ADMIN_EMAIL)) return;
  await finch.store.insertAgent({
    name: 'Ada',
    email: ADMIN_EMAIL,
    alias: null,
    photoUrl: null,
    role: 'admin',
    isFin: false,
    passwordHash: await hashPassword(ADMIN_PASSWORD),
    at: new Date().toISOString(),
  });
}
