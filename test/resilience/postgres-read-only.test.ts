/**
 * PostgreSQL that refuses writes, as a standby does after a failover or a database made read-only
 * (`default_transaction_read_only`): writes answer 503 with Retry-After, /health says 503 while
 * they fail (reads alone would say ok), and both recover once the database takes writes again.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestFinch, type TestFinch } from '../support/finch.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!inject('postgresUrl'))('Finch on PostgreSQL when the database turns read-only', () => {
  let finch: TestFinch;
  let admin: pg.Client;
  let name: string;

  beforeAll(async () => {
    finch = await startTestFinch('postgres');
    admin = new pg.Client({ connectionString: inject('postgresUrl')! });
    await admin.connect();
    name = new URL(finch.databaseUrl!).pathname.slice(1);
  });
  afterAll(async () => {
    await admin?.query(`alter database ${name} reset default_transaction_read_only`).catch(() => undefined);
    await admin?.end();
    await finch?.close();
  });

  /** Sets the database's default, then ends Finch's sessions so that new ones take it. */
  async function readOnly(on: boolean): Promise<void> {
    await admin.query(on ? `alter database ${name} set default_transaction_read_only = on` : `alter database ${name} reset default_transaction_read_only`);
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
  }

  const createUser = async (userName: string) => {
    const response = await fetch(`${finch.apiUrl}/user`, {
      method: 'POST',
      headers: { authorization: `Bearer ${finch.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: userName }),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { code?: string } };
  };
  const health = async () => (await fetch(`${finch.baseUrl}/health`)).status;

  it('answers writes 503, and /health 503, until it takes writes again', async () => {
    await readOnly(true);
    // The first requests may meet the terminated sessions (503 too); then the read-only ones.
    let refused = await createUser('Read-only');
    for (let i = 0; i < 5 && refused.status === 503 && (await health()) !== 503; i++) {
      await pause(100);
      refused = await createUser('Read-only');
    }
    expect(refused.status).toBe(503);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(refused.body.code).toBe('database_unavailable');
    expect(await health()).toBe(503);
    // Reads still answer.
    expect((await fetch(`${finch.apiUrl}/agents`, { headers: { authorization: `Bearer ${finch.token}` } })).status).toBe(200);

    await readOnly(false);
    let status = await health();
    for (let i = 0; i < 20 && status !== 200; i++) {
      await pause(100);
      status = await health();
    }
    expect(status).toBe(200);
    expect((await createUser('Writable again')).status).toBe(201);
  });
});
