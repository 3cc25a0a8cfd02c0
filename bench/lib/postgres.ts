/**
 * A PostgreSQL server to create throwaway databases on: the one DATABASE_URL names (as in the
 * test suite), or else a private server started from the machine's binaries, deleted afterwards.
 * Each measurement gets its own database, dropped when done, so a shared server keeps nothing.
 */
import pg from 'pg';
import { createDatabase, startPostgres } from './test-harness.js';
import type { Cleanup } from './cleanup.js';
import { delay } from './service.js';

export interface PostgresHost {
  serverUrl: string;
  /** A new, empty database, dropped at cleanup (or earlier with the returned drop()). */
  newDatabase: (prefix: string) => Promise<{ url: string; drop: () => Promise<void> }>;
}

export async function acquirePostgres(cleanup: Cleanup): Promise<PostgresHost> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    process.stderr.write('DATABASE_URL is not set: starting a throwaway PostgreSQL server…\n');
    const server = await startPostgres();
    cleanup.add('stop PostgreSQL', async () => {
      try {
        await server.stop();
      } catch {
        // On Ctrl-C the terminal signals PostgreSQL too, and it may be half-way through exiting,
        // its pid file gone: stop() fails. Once it has exited, stop() only deletes its directory.
        await delay(2000);
        await server.stop();
      }
    });
    serverUrl = server.url;
  }
  const url = serverUrl;
  return {
    serverUrl: url,
    newDatabase: async (prefix) => {
      const databaseUrl = await createDatabase(url, prefix);
      const drop = cleanup.add(`drop ${new URL(databaseUrl).pathname}`, () => dropDatabase(url, databaseUrl));
      return { url: databaseUrl, drop };
    },
  };
}

async function dropDatabase(serverUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    // FORCE: a Finch that did not stop cleanly may still hold connections.
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
