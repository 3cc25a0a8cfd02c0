/**
 * Rate limits count across every Finch process on one database: sign-in, password changes and
 * the token endpoint allow N attempts in total however many nodes answer (PostgreSQL, or SQLite
 * shared by several processes), each attempt counted atomically, and windows that ended are
 * deleted rather than kept forever.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, inject, it } from 'vitest';
import { createClient } from '../../src/domain/auth/credentials.js';
import { helpdeskContext, openFinch, type Finch } from '../../src/finch.js';
import { buildServer, type ServerConfig } from '../../src/http/server.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, type Backend } from '../support/finch.js';
import { createDatabase } from '../support/postgres-server.js';
import { PASSWORD } from '../support/helpdesk.js';
import { hashPassword } from '../../src/domain/auth/secrets.js';

interface Node {
  finch: Finch;
  app: FastifyInstance;
  baseUrl: string;
}

/** A Finch server over existing data, as another node (or process on the same SQLite file) would run. */
async function startNode(data: { dataDir: string; databaseUrl: string | undefined }, limits: { login: number; tokensPerMinute: number }): Promise<Node> {
  const finch = await openFinch({ dataDir: data.dataDir, databaseUrl: data.databaseUrl, dbPoolSize: 5 });
  const config: ServerConfig = {
    publicUrl: 'http://127.0.0.1',
    signingSecret: undefined,
    signatureToleranceSeconds: 300,
    tokenTtlSeconds: 3600,
    tokenRateLimitPerMinute: limits.tokensPerMinute,
    bodyLimitBytes: 1_048_576,
    logLevel: 'silent',
    loginRateLimit: limits.login,
    attachmentLimitBytes: 10_485_760,
  };
  const helpdesk = helpdeskContext(finch, { fin: {}, publicUrl: 'http://127.0.0.1', attachmentUrlTtlSeconds: 3600 });
  const app = await buildServer(config, { ...finch, helpdesk }, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { finch, app, baseUrl: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

/** A sign-in attempt from the loopback address `from`: its status and Retry-After. */
function signInFrom(baseUrl: string, from: string, email: string): Promise<{ status: number; retryAfter: string | undefined; code: string | undefined }> {
  const url = new URL(`${baseUrl}/api/v1/session`);
  const payload = JSON.stringify({ email, password: 'a wrong guess' });
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: { 'content-type': 'application/json' },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode!, retryAfter: response.headers['retry-after'] as string | undefined, code: JSON.parse(text).code }),
        );
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

async function twoNodes(backend: Backend, limits: { login: number; tokensPerMinute: number }) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-limits-'));
  const databaseUrl = backend === 'postgres' ? await createDatabase(inject('postgresUrl')!) : undefined;
  const a = await startNode({ dataDir, databaseUrl }, limits);
  const b = await startNode({ dataDir, databaseUrl }, limits);
  return {
    nodes: [a, b] as const,
    close: async () => {
      for (const node of [a, b]) {
        await node.app.close();
        await node.finch.close();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe.each(sqlBackends())('rate limits shared by two Finch servers on one %s database', (backend) => {
  it('allows the sign-in limit in total, not per server, and counts every spelling of the email', async () => {
    const { nodes, close } = await twoNodes(backend, { login: 4, tokensPerMinute: 1000 });
    try {
      const statuses: number[] = [];
      const spellings = [
        'target@example.com',
        '  TARGET@example.com',
        '\ttarget@example.com',
        'target@example.com\u00a0',
        'Target@Example.com',
        '\u3000target@example.com',
      ];
      for (let i = 0; i < spellings.length; i++) {
        const node = nodes[i % 2]!;
        statuses.push((await new AgentClient(node.baseUrl).post('/session', { email: spellings[i], password: `guess ${i}` })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    } finally {
      await close();
    }
  });

  it('allows one address 10 × the sign-in limit in total whatever the emails, across servers; other addresses are not limited by it', async () => {
    const { nodes, close } = await twoNodes(backend, { login: 1, tokensPerMinute: 1000 });
    try {
      const answers = [];
      for (let i = 0; i < 12; i++) answers.push(await signInFrom(nodes[i % 2]!.baseUrl, '127.0.0.5', `n${i + 1}@x.example`));
      expect(answers.map((answer) => answer.status)).toEqual([...Array(10).fill(401), 429, 429]);
      for (const answer of answers.slice(10)) {
        expect(answer.code).toBe('rate_limited');
        expect(Number(answer.retryAfter)).toBeGreaterThan(800);
      }
      expect((await signInFrom(nodes[0].baseUrl, '127.0.0.6', 'n1@x.example')).status).toBe(401);
    } finally {
      await close();
    }
  });

  it('allows the token endpoint limit in total, not per server', async () => {
    const { nodes, close } = await twoNodes(backend, { login: 1000, tokensPerMinute: 5 });
    try {
      const client = await createClient(nodes[0].finch.credentials, 'Fin', new Date());
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const response = await fetch(`${nodes[i % 2]!.baseUrl}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }).toString(),
        });
        statuses.push(response.status);
        if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    } finally {
      await close();
    }
  });

  it('limits guesses at the current password per agent, across servers', async () => {
    const { nodes, close } = await twoNodes(backend, { login: 3, tokensPerMinute: 1000 });
    try {
      const at = new Date().toISOString();
      const agent = await nodes[0].finch.store.insertAgent({
        name: 'Gus',
        email: 'gus@example.com',
        alias: null,
        photoUrl: null,
        role: 'agent',
        isFin: false,
        passwordHash: await hashPassword(PASSWORD),
        at,
      });
      const clients = [await AgentClient.signIn(nodes[0].baseUrl, agent.email, PASSWORD), await AgentClient.signIn(nodes[1].baseUrl, agent.email, PASSWORD)];
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push(
          (await clients[i % 2]!.post('/me/password', { current_password: `guess number ${i}`, new_password: 'velvet arcade pinecone 93' })).status,
        );
      }
      expect(statuses).toEqual([403, 403, 403, 429, 429]);
    } finally {
      await close();
    }
  });
});

describe.each(sqlBackends())('rate-limit counters on %s', (backend) => {
  it('count concurrent attempts from two connections atomically: each gets its own number', async () => {
    const { nodes, close } = await twoNodes(backend, { login: 10, tokensPerMinute: 10 });
    try {
      const now = new Date();
      const hits = await Promise.all(Array.from({ length: 40 }, (_, i) => nodes[i % 2]!.finch.accounts.rateLimits.hit('concurrent', 60_000, now)));
      expect(hits.map((hit) => hit.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(new Set(hits.map((hit) => hit.resetAt))).toEqual(new Set([now.getTime() + 60_000]));
    } finally {
      await close();
    }
  });

  it('start a new window once one ends, and delete ended windows instead of keeping them', async () => {
    const { nodes, close } = await twoNodes(backend, { login: 10, tokensPerMinute: 10 });
    try {
      const store = nodes[0].finch.accounts.rateLimits;
      const db = nodes[0].finch.database.db;
      const rows = async () =>
        Number(
          (
            await db
              .selectFrom('rate_limits')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const t0 = Date.now();
      for (let i = 0; i < 50; i++) await store.hit(`key ${i}`, 1000, new Date(t0));
      expect((await store.hit('key 0', 1000, new Date(t0 + 500))).count).toBe(2);
      expect(await rows()).toBe(50);
      // A minute on: every window has ended; the next attempt starts afresh and sweeps the rest.
      expect(await store.hit('key 0', 1000, new Date(t0 + 61_000))).toEqual({ count: 1, resetAt: t0 + 62_000 });
      // The sweep runs beside the attempt (not awaited by it).
      await expect.poll(rows).toBe(1);
      // Keys are stored hashed: no address or email in the table.
      const keys = await db.selectFrom('rate_limits').select('key').execute();
      expect(keys.every(({ key }) => /^[0-9a-f]{64}$/.test(key))).toBe(true);
    } finally {
      await close();
    }
  });
});
