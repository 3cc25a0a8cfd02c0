/**
 * Automatic assignment with two Finch processes (`finch start`, each running its router) on one
 * PostgreSQL database (issue 12, item 2): 200 hand-overs at once, half through each process, with
 * 20 agents online of capacity 10: every conversation is assigned exactly once (one `assigned`
 * activity event each, by the system, automatically), nobody goes over capacity (balanced: exactly
 * 10 each), and Fin has a sync event for each assignment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FinClient } from '../../src/client/fin-client.js';
import { createClient, issueAccessToken } from '../../src/domain/auth/credentials.js';
import { hashPassword } from '../../src/domain/auth/secrets.js';
import { newId } from '../../src/domain/ids.js';
import { openFinch, type Finch } from '../../src/finch.js';
import { AgentClient } from '../support/agent-client.js';
import { createDatabase } from '../support/postgres-server.js';
import { startFinchProcess, type ServerProcess } from '../support/process.js';
import { eventually } from './support.js';

const AGENTS = 20;
const CAPACITY = 10;
const HAND_OVERS = 200;
const PASSWORD = 'correct horse battery staple';

describe.runIf(inject('postgresUrl'))('automatic assignment with two Finch processes on one PostgreSQL', () => {
  const dirs: string[] = [];
  const nodes: ServerProcess[] = [];
  let finch: Finch;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await createDatabase(inject('postgresUrl')!);
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'finch-routing-'));
      dirs.push(dir);
      nodes.push(await startFinchProcess({ FINCH_DATA_DIR: dir, DATABASE_URL: databaseUrl, FINCH_LOG_LEVEL: 'warn' }));
    }
    finch = await openFinch({ dataDir: dirs[0]!, databaseUrl, dbPoolSize: 5 });
  }, 90_000);
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await finch?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('assigns 200 concurrent hand-overs exactly once each, nobody over capacity, Fin told of each', async () => {
    const now = new Date();
    const passwordHash = await hashPassword(PASSWORD);
    await finch.store.insertAgent({
      name: 'Ada',
      email: 'ada.routing@example.com',
      alias: null,
      photoUrl: null,
      role: 'admin',
      isFin: false,
      passwordHash,
      at: now.toISOString(),
    });
    const asAdmin = await AgentClient.signIn(nodes[0]!.baseUrl, 'ada.routing@example.com', PASSWORD);
    // Routing on, nobody online yet: the admin is an agent too, and must not take part.
    expect((await asAdmin.put('/settings/routing', { mode: 'balanced', capacity: CAPACITY, reassign_when_away: false })).status).toBe(200);

    const agentIds: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const agent = await finch.store.insertAgent({
        name: `Agent ${i}`,
        email: `agent.${i}@example.com`,
        alias: null,
        photoUrl: null,
        role: 'agent',
        isFin: false,
        passwordHash,
        at: now.toISOString(),
      });
      agentIds.push(agent.id);
    }
    // Their inboxes are open (on some node): online.
    await finch.database.db
      .insertInto('agent_connections')
      .values(
        agentIds.map((agentId) => ({
          id: newId('conn'),
          agent_id: agentId,
          node: 'elsewhere',
          opened_at: now.toISOString(),
          seen_at: now.toISOString(),
          expires_at: new Date(now.getTime() + 3_600_000).toISOString(),
        })),
      )
      .execute();

    const { clientId, clientSecret } = await createClient(finch.credentials, 'tests', now);
    const grant = await issueAccessToken(finch.credentials, { clientId, clientSecret }, 3600, now);
    if (!grant.ok) throw new Error('no token');
    const fins = nodes.map((node) => new FinClient({ baseUrl: `${node.baseUrl}/api/fin`, variant: 'rest', token: grant.accessToken }));

    // Fin's conversations, then all their hand-overs at once, alternating between the two processes.
    const ids = await Promise.all(
      Array.from({ length: HAND_OVERS }, async (_, i) => {
        const fin = fins[i % 2]!;
        const user = (await fin.call('create_user', { name: `Eve ${i}`, email: `eve.${i}@example.com` })).payload as { id: string };
        const created = await fin.call('create_conversation', {
          title: `Help ${i}`,
          user_id: user.id,
          initial_message: { body: 'Hello', author: { id: user.id, user_type: 'end_user' } },
        });
        expect(created.status).toBe(201);
        return (created.payload as { conversation: { id: string } }).conversation.id;
      }),
    );
    const handOvers = await Promise.all(ids.map((id, i) => fins[i % 2]!.call('update_conversation', { conversation_id: id, assignee_id: null })));
    expect(handOvers.map((response) => response.status)).toEqual(ids.map(() => 200));

    const db = finch.database.db;
    await eventually(async () => {
      const waiting = await db.selectFrom('conversations').select('id').where('id', 'in', ids).where('assignee_id', 'is', null).execute();
      expect(waiting).toHaveLength(0);
    }, 30_000);

    // Exactly one automatic assignment each, to the agent that holds it.
    const assigned = await db.selectFrom('conversation_activity').selectAll().where('conversation_id', 'in', ids).where('kind', '=', 'assigned').execute();
    const automatic = assigned
      .map((row) => ({ id: row.conversation_id, actor: row.actor_type, ...(typeof row.details === 'string' ? JSON.parse(row.details) : row.details) }))
      .filter((event) => event.how === 'automatic');
    expect(automatic).toHaveLength(HAND_OVERS);
    expect(new Set(automatic.map((event) => event.id)).size).toBe(HAND_OVERS);
    const holders = await db.selectFrom('conversations').select(['id', 'assignee_id', 'assigned_at']).where('id', 'in', ids).execute();
    const holderOf = new Map(holders.map((row) => [row.id, row.assignee_id]));
    for (const event of automatic) {
      expect(event.actor).toBe('system');
      expect(holderOf.get(event.id)).toBe(event.assigneeId);
    }
    // Nobody over capacity; balanced fills everyone to exactly their capacity.
    const perAgent = new Map<string, number>();
    for (const row of holders) perAgent.set(row.assignee_id!, (perAgent.get(row.assignee_id!) ?? 0) + 1);
    expect([...perAgent.keys()].sort()).toEqual([...agentIds].sort());
    expect([...perAgent.values()]).toEqual(agentIds.map(() => CAPACITY));

    // Fin is told of each assignment: a sync event written (or counted) at or after it.
    const events = await db
      .selectFrom('outbox_events')
      .select(['conversation_id', 'updated_at'])
      .where('conversation_id', 'in', ids)
      .where('kind', '=', 'sync')
      .execute();
    for (const row of holders) {
      expect(
        events.some((event) => event.conversation_id === row.id && event.updated_at >= row.assigned_at!),
        row.id,
      ).toBe(true);
    }
    // Both processes routed (the lock made them take turns, not stand aside).
    for (const node of nodes) expect(node.output()).not.toMatch(/routing pass failed/);
  }, 120_000);
});
