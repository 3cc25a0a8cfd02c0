/**
 * The activity's reads walk its indexes (migrations/0012_activity.ts), in order, on both databases:
 * a conversation's page by (conversation_id, at, id), a time range of every conversation by
 * (at, id), and one kind in a time range by (kind, at, id); no scan of the table (and on SQLite no
 * sort). The
 * queries are the store's own (`conversationActivityQuery`, `activityRangeQuery`), explained with
 * their parameters over 20,000 events after ANALYZE. bench/activity-range-scan.ts times them over
 * a million.
 */
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityEvent, ActivityKind } from '../../src/domain/activity/activity.js';
import { writeTransaction } from '../../src/store/sql/database.js';
import { SqlActivityStore, activityRangeQuery, conversationActivityQuery } from '../../src/store/sql/sql-activity-store.js';
import { openTestData, type TestData } from '../outbox/support.js';
import { sqlBackends } from '../support/finch.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const KINDS: ActivityKind[] = ['created', 'handed_over', 'assigned', 'customer_replied', 'first_human_reply', 'status_changed', 'reopened', 'sla_breached'];
const EVENTS = 20_000;
const CONVERSATIONS = 100;

describe.each(sqlBackends())('activity query plans on %s', (backend) => {
  let data: TestData;
  let conversations: string[];

  beforeAll(async () => {
    data = await openTestData(backend);
    conversations = [];
    for (let i = 0; i < CONVERSATIONS; i++) conversations.push(await data.conversation());
    // Spread over 30 days, every conversation and kind throughout.
    const events: ActivityEvent[] = Array.from({ length: EVENTS }, (_, i) => ({
      conversationId: conversations[i % CONVERSATIONS]!,
      at: new Date(T0 + Math.floor((i * 30 * DAY) / EVENTS)).toISOString(),
      kind: KINDS[i % KINDS.length]!,
      actor: { type: 'system', id: null },
      details: {},
    })) as ActivityEvent[];
    for (let start = 0; start < EVENTS; start += 1000) {
      await writeTransaction(data.database, (trx, notes) =>
        new SqlActivityStore({ db: trx, dialect: data.database.dialect, notes }).append(events.slice(start, start + 1000)),
      );
    }
    await sql.raw('ANALYZE').execute(data.database.db);
  });
  afterAll(() => data?.close());

  async function plan(query: CompiledQuery): Promise<{ indexes: string[]; text: string; sorts: boolean; fullScan: boolean }> {
    if (data.database.dialect === 'postgres') {
      const { rows } = await data.database.db.executeQuery<{ 'QUERY PLAN': unknown }>(
        CompiledQuery.raw(`EXPLAIN (FORMAT JSON) ${query.sql}`, [...query.parameters]),
      );
      const root = rows[0]!['QUERY PLAN'] as [{ Plan: PgNode }];
      const nodes = flatten(root[0].Plan);
      return {
        indexes: nodes.flatMap((node) => (node['Index Name'] ? [node['Index Name']] : [])),
        text: JSON.stringify(root),
        sorts: nodes.some((node) => node['Node Type'].includes('Sort')),
        fullScan: nodes.some((node) => node['Node Type'] === 'Seq Scan'),
      };
    }
    const { rows } = await data.database.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]));
    const text = rows.map((row) => row.detail).join('\n');
    return {
      indexes: [...text.matchAll(/USING (?:COVERING )?INDEX (\w+)/g)].map((match) => match[1]!),
      text,
      sorts: text.includes('TEMP B-TREE'),
      fullScan: /SCAN conversation_activity(?! USING)/.test(text),
    };
  }

  const expectIndex = async (query: CompiledQuery, index: string) => {
    const found = await plan(query);
    expect(found.indexes, found.text).toEqual([index]);
    // PostgreSQL may sort the few rows a bitmap scan of the index finds (cheaper at this size; at a
    // million rows the bench shows ordered index scans); SQLite always reads them in index order.
    if (data.database.dialect === 'sqlite') expect(found.sorts, found.text).toBe(false);
    expect(found.fullScan, found.text).toBe(false);
  };

  it("reads a conversation's page by (conversation_id, at, id), also after a cursor", async () => {
    const db = data.database.db;
    await expectIndex(conversationActivityQuery(db, conversations[7]!, { limit: 100 }).compile(), 'conversation_activity_conversation');
    const after = { at: new Date(T0 + 10 * DAY).toISOString(), id: 'act_0' };
    await expectIndex(conversationActivityQuery(db, conversations[7]!, { limit: 100, after }).compile(), 'conversation_activity_conversation');
  });

  it('scans a time range of every conversation by (at, id), and one kind in it by (kind, at, id)', async () => {
    const db = data.database.db;
    const from = new Date(T0 + 12 * DAY).toISOString();
    const to = new Date(T0 + 12 * DAY + 3_600_000).toISOString();
    await expectIndex(activityRangeQuery(db, { from, to, limit: 1000 }).compile(), 'conversation_activity_at');
    await expectIndex(activityRangeQuery(db, { from, to, limit: 1000, after: { at: from, id: 'act_0' } }).compile(), 'conversation_activity_at');
    await expectIndex(activityRangeQuery(db, { from, to, kind: 'assigned', limit: 1000 }).compile(), 'conversation_activity_kind');
  });

  it('pages through a range in order, each event once', async () => {
    const store = new SqlActivityStore(data.database);
    const from = new Date(T0 + 3 * DAY).toISOString();
    const to = new Date(T0 + 4 * DAY).toISOString();
    const seen: string[] = [];
    for (let page = await store.scanActivity({ from, to, limit: 97 }); page.length > 0; ) {
      seen.push(...page.map((entry) => `${entry.at} ${entry.id}`));
      const last = page.at(-1)!;
      page = await store.scanActivity({ from, to, limit: 97, after: { at: last.at, id: last.id } });
    }
    expect(seen).toHaveLength(Math.round(EVENTS / 30));
    expect([...seen].sort()).toEqual(seen);
    expect(new Set(seen).size).toBe(seen.length);
  });
});

interface PgNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PgNode[];
}

function flatten(node: PgNode): PgNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}
