/**
 * A routing pass with nothing to do costs one cheap statement (`routingWorkQuery`): on both
 * databases, over thousands of finished conversations and a team with some away agents, its plan
 * reads the conversations only through the open-by-assignee index (migrations/0011_routing.ts),
 * never by scanning them.
 */
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import type { Agent } from '../../src/domain/model.js';
import { routingWorkQuery } from '../../src/store/sql/sql-routing-store.js';
import { at, openTestData, type TestData } from '../outbox/support.js';
import { sqlBackends } from '../support/finch.js';

const FINISHED = 3_000;
const AGENTS = 30;

describe.each(sqlBackends())('the routing pass plan on %s', (backend) => {
  let data: TestData;

  beforeAll(async () => {
    data = await openTestData(backend);
    const agents: Agent[] = [];
    for (let i = 0; i < AGENTS; i++) agents.push(await data.humanAgent(`Agent${i}`));
    const { db } = data.database;
    // A third of the team away with an inbox open, holding nothing open: nothing to return.
    await db
      .updateTable('agents')
      .set({ presence: 'away' })
      .where(
        'id',
        'in',
        agents.filter((_, i) => i % 3 === 0).map((agent) => agent.id),
      )
      .execute();
    await db
      .insertInto('agent_connections')
      .values(agents.map((agent) => ({ id: newId('conn'), agent_id: agent.id, node: 'n', opened_at: at(0), seen_at: at(0), expires_at: at(3600) })))
      .execute();
    const ids: string[] = [];
    for (let start = 0; start < FINISHED; start += 10) {
      ids.push(
        ...(await Promise.all(Array.from({ length: 10 }, (_, i) => data.conversation({ assigneeId: agents[(start + i) % AGENTS]!.id, status: 'closed' })))),
      );
    }
    expect(ids).toHaveLength(FINISHED);
    // A few open ones, with Fin and with online agents.
    for (let i = 0; i < 20; i++) await data.conversation({ assigneeId: i % 2 === 0 ? data.fin.id : agents[1]!.id });
    await sql.raw('ANALYZE').execute(db);
  }, 120_000);
  afterAll(() => data?.close());

  it('reads no conversation but through the open-by-assignee index, and answers that nothing is to do', async () => {
    const query = routingWorkQuery(data.database.db, at(10));
    const compiled = query.compile();
    let scans: string[];
    let text: string;
    if (data.database.dialect === 'postgres') {
      const { rows } = await data.database.db.executeQuery<{ 'QUERY PLAN': unknown }>(
        CompiledQuery.raw(`EXPLAIN (FORMAT JSON) ${compiled.sql}`, [...compiled.parameters]),
      );
      const root = rows[0]!['QUERY PLAN'] as [{ Plan: PgNode }];
      text = JSON.stringify(root);
      scans = flatten(root[0].Plan)
        .filter((node) => node['Node Type'] === 'Seq Scan')
        .map((node) => node['Relation Name']!);
      expect(text).toContain('conversations_open_by_assignee');
    } else {
      const { rows } = await data.database.db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]),
      );
      text = rows.map((row) => row.detail).join('\n');
      scans = [...text.matchAll(/SCAN (\w+)(?! USING)/g)].map((match) => match[1]!);
      expect(text).toContain('conversations_open_by_assignee');
    }
    expect(scans, text).not.toContain('conversations');
    expect(
      scans.filter((table) => table === 'c'),
      text,
    ).toEqual([]);

    const row = await query.executeTakeFirstOrThrow();
    expect(Boolean(row.waiting)).toBe(false);
    expect(Boolean(row.away_work)).toBe(false);
  });
});

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PgNode[];
}

function flatten(node: PgNode): PgNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}
