/**
 * Fin's reads answered from memory while nothing changed (docs/decisions.md, "Answers kept while
 * nothing changed"): on SQLite a second get_conversation or get_messages with nothing committed in
 * between reads nothing from the store and sends the same bytes; any commit, by this process or
 * another connection (another process, another node), is seen by the very next read; tokens found
 * stay subject to revocation (by anyone) and expiry on every request. On SQLite the version is
 * SQLite's counters, on PostgreSQL the snapshot read with the token.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIANTS } from '../../src/contract/models.js';
import { createClient } from '../../src/domain/auth/credentials.js';
import { hashToken } from '../../src/domain/auth/secrets.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { finConversation } from '../support/helpdesk.js';

/** Counts the store's reads behind the two operations (the real store, its methods wrapped). */
function countReads(finch: TestFinch) {
  const counts = { findConversation: 0, listMessages: 0 };
  const store = finch.store as unknown as Record<keyof typeof counts, (...args: unknown[]) => Promise<unknown>>;
  for (const name of Object.keys(counts) as (keyof typeof counts)[]) {
    const read = store[name].bind(finch.store);
    store[name] = (...args) => {
      counts[name]++;
      return read(...args);
    };
  }
  return counts;
}

/** Runs one statement (`?` for each value) on a connection of its own: another process, or another node. */
async function elsewhere(finch: TestFinch, statement: string, ...values: string[]): Promise<void> {
  if (finch.backend === 'sqlite') {
    const other = new BetterSqlite3(finch.database!.location);
    try {
      other.prepare(statement).run(...values);
    } finally {
      other.close();
    }
    return;
  }
  const other = new pg.Client({ connectionString: finch.databaseUrl });
  await other.connect();
  try {
    let n = 0;
    await other.query(
      statement.replace(/\?/g, () => `$${++n}`),
      values,
    );
  } finally {
    await other.end();
  }
}

describe.each(sqlBackends())('answers kept while nothing changed on %s', (backend) => {
  let finch: TestFinch;
  let reads: ReturnType<typeof countReads>;

  beforeAll(async () => {
    finch = await startTestFinch(backend);
    reads = countReads(finch);
  });
  afterAll(() => finch?.close());

  /** The raw answer: status, content type and body bytes. */
  async function raw(variant: 'rest' | 'post', operation: 'get_conversation' | 'get_messages', input: Record<string, string>, token = finch.token) {
    const response =
      variant === 'rest'
        ? await fetch(`${finch.apiUrl}/${operation === 'get_conversation' ? 'conversation' : 'messages'}?${new URLSearchParams(input)}`, {
            headers: { authorization: `Bearer ${token}` },
          })
        : await fetch(`${finch.apiUrl}/${operation}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(input),
          });
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
  }

  describe.each(VARIANTS)('%s variant', (variant) => {
    it('answers a read again with the same bytes, reading the store only when it must', async () => {
      const { id } = await finConversation(finch);
      for (const operation of ['get_conversation', 'get_messages'] as const) {
        const counter = operation === 'get_conversation' ? 'findConversation' : 'listMessages';
        // Any commit between the two reads rightly makes the second read the store again: Finch's
        // own background jobs, and on PostgreSQL any database of the test server (transaction ids
        // are the server's). So the pair is tried a few times; reads that are never kept fail all.
        // A later try may find both reads kept (nothing committed since the previous try's second
        // read): 0 store reads, which proves keeping as well as 1 does.
        const storeReads: number[] = [];
        for (let attempt = 0; attempt < 5 && (storeReads.at(-1) ?? 2) >= 2; attempt++) {
          const before = reads[counter];
          const first = await raw(variant, operation, { conversation_id: id });
          const second = await raw(variant, operation, { conversation_id: id });
          expect(first.status).toBe(200);
          expect(second).toEqual(first);
          expect(first.type).toBe('application/json; charset=utf-8');
          storeReads.push(reads[counter] - before);
        }
        expect(storeReads[0]).toBeGreaterThanOrEqual(1); // a new conversation: nothing kept yet
        expect(storeReads.at(-1)).toBeLessThan(2);
      }
    });

    it('keeps answers apart by conversation, after_id and variant', async () => {
      const a = await finConversation(finch, 'A', 'first of A');
      const b = await finConversation(finch, 'B', 'first of B');
      const fin = finch.client(variant);
      const added = (await fin.call('create_message', { conversation_id: a.id, body: 'second of A', author: { id: a.user.id, user_type: 'end_user' } }))
        .payload as { id: string };
      const all = await raw(variant, 'get_messages', { conversation_id: a.id });
      const other = await raw(variant, 'get_messages', { conversation_id: b.id });
      const after = await raw(variant, 'get_messages', { conversation_id: a.id, after_id: added.id });
      expect(all.body).toContain('second of A');
      expect(other.body).toContain('first of B');
      expect(other.body).not.toContain('of A');
      expect(JSON.parse(after.body)).toEqual(variant === 'rest' ? [] : { data: [], error: null });
      // Asked again, each is itself.
      expect(await raw(variant, 'get_messages', { conversation_id: a.id })).toEqual(all);
      expect(await raw(variant, 'get_messages', { conversation_id: a.id, after_id: added.id })).toEqual(after);
      expect(await raw(variant, 'get_messages', { conversation_id: b.id })).toEqual(other);
    });

    it("shows Fin's own write at the next read", async () => {
      const { id, user } = await finConversation(finch);
      const fin = finch.client(variant);
      await raw(variant, 'get_messages', { conversation_id: id });
      await fin.call('create_message', { conversation_id: id, body: 'Anything else?', author: { id: user.id, user_type: 'end_user' } });
      expect((await raw(variant, 'get_messages', { conversation_id: id })).body).toContain('Anything else?');
      await raw(variant, 'get_conversation', { conversation_id: id });
      await fin.call('update_conversation', { conversation_id: id, title: 'Renamed by Fin' });
      expect((await raw(variant, 'get_conversation', { conversation_id: id })).body).toContain('Renamed by Fin');
    });

    it('shows a change another connection committed at the next read (another process, another node)', async () => {
      const { id } = await finConversation(finch);
      expect((await raw(variant, 'get_conversation', { conversation_id: id })).body).not.toContain('Renamed elsewhere');
      expect((await raw(variant, 'get_conversation', { conversation_id: id })).body).not.toContain('Renamed elsewhere');
      await elsewhere(finch, 'UPDATE conversations SET title = ? WHERE id = ?', 'Renamed elsewhere', id);
      expect((await raw(variant, 'get_conversation', { conversation_id: id })).body).toContain('Renamed elsewhere');
    });

    it('refuses a token revoked by another connection, and an expired one, at the next request', async () => {
      const { id } = await finConversation(finch);
      const { token } = await fetchToken(finch);
      expect((await raw(variant, 'get_conversation', { conversation_id: id }, token)).status).toBe(200);
      expect((await raw(variant, 'get_conversation', { conversation_id: id }, token)).status).toBe(200);
      await elsewhere(finch, 'UPDATE access_tokens SET expires_at = ? WHERE token_hash = ?', '2000-01-01T00:00:00.000Z', hashToken(token));
      expect((await raw(variant, 'get_conversation', { conversation_id: id }, token)).status).toBe(401);
      // Expiry is judged on every request, kept or not: the clock passes the token's end.
      const { token: later } = await fetchToken(finch);
      expect((await raw(variant, 'get_conversation', { conversation_id: id }, later)).status).toBe(200);
      finch.clock.advance(2 * 3600 * 1000);
      try {
        const expired = await raw(variant, 'get_conversation', { conversation_id: id }, later);
        expect(expired.status).toBe(401);
        expect(expired.body).toContain('token_expired');
      } finally {
        finch.clock.advance(-2 * 3600 * 1000);
      }
    });
  });

  it('refuses every token of a client revoked in this process at the next request', async () => {
    const { id } = await finConversation(finch);
    const client = await createOtherClient(finch);
    expect((await raw('rest', 'get_conversation', { conversation_id: id }, client.token)).status).toBe(200);
    expect((await raw('rest', 'get_conversation', { conversation_id: id }, client.token)).status).toBe(200);
    await finch.credentials.revokeClient(client.clientId, finch.clock.now().toISOString());
    const refused = await raw('rest', 'get_conversation', { conversation_id: id }, client.token);
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('token_revoked');
  });

  it('reads the version with the token, naming the server on PostgreSQL (a promoted standby may reuse transaction ids)', async () => {
    const found = await finch.credentials.findAccessToken(hashToken(finch.token));
    if (backend === 'sqlite') {
      expect(found?.version).toMatch(/^\d+\.\d+$/);
      return;
    }
    const other = new pg.Client({ connectionString: finch.databaseUrl });
    await other.connect();
    try {
      const { rows } = await other.query<{ started: string }>('select pg_postmaster_start_time()::text as started');
      expect(found?.version).toMatch(/^\d+:\d+:[\d,]* /);
      expect(found?.version?.endsWith(` ${rows[0]!.started}`)).toBe(true);
    } finally {
      await other.end();
    }
  });

  it('finds tokens asked for at once, each with its own record (one token alone, the others in one shared statement)', async () => {
    const others = await Promise.all([createOtherClient(finch), createOtherClient(finch), createOtherClient(finch)]);
    const asked = [{ clientId: finch.clientId, token: finch.token }, ...others];

    const [first, ...rest] = await Promise.all([
      ...asked.map(({ token }) => finch.credentials.findAccessToken(hashToken(token))),
      finch.credentials.findAccessToken(hashToken('unknown')),
    ]);

    expect([first, ...rest.slice(0, -1)].map((found) => found?.clientId)).toEqual(asked.map(({ clientId }) => clientId));
    expect(rest.at(-1)).toBeUndefined();
    for (const found of [first, ...rest.slice(0, -1)]) expect(found?.version).toBeTruthy();
  });

  it('keeps nothing a transaction wrote and rolled back', async () => {
    const { id } = await finConversation(finch);
    const first = await raw('rest', 'get_conversation', { conversation_id: id });
    let during: Promise<Awaited<ReturnType<typeof raw>>> | undefined;
    await expect(
      finch.store.transaction(async (tx) => {
        await tx.updateConversation(id, { title: 'Never committed' }, finch.clock.now().toISOString());
        // Fin reads while the transaction is open (on SQLite it holds the one connection).
        during = raw('rest', 'get_conversation', { conversation_id: id });
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    for (const answer of [await during!, await raw('rest', 'get_conversation', { conversation_id: id })]) {
      expect(answer.status).toBe(200);
      expect(answer.body).toBe(first.body);
    }
  });
});

async function fetchToken(finch: TestFinch): Promise<{ token: string }> {
  const response = await fetch(`${finch.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: finch.clientId, client_secret: finch.clientSecret }),
  });
  const body = (await response.json()) as { access_token: string };
  return { token: body.access_token };
}

async function createOtherClient(finch: TestFinch): Promise<{ clientId: string; token: string }> {
  const { clientId, clientSecret } = await createClient(finch.credentials, 'other', finch.clock.now());
  const response = await fetch(`${finch.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  return { clientId, token: ((await response.json()) as { access_token: string }).access_token };
}
