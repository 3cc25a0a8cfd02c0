/**
 * Do the activity's reads stay fast at a million events? Reports (a later feature) scan the
 * activity by time range, and the timeline reads one conversation's; both must depend on what
 * they read, not on how much is stored. This fills a database with N conversations (bench/
 * generate.ts) and a million events spread over 90 days (bulk SQL in the table's own shape), then
 * times Finch's own store (SqlActivityStore) on random ranges and conversations, and prints the
 * plans of the queries behind them. No HTTP is involved, so there is no node:http baseline: the
 * figures are the database's time through Finch's queries. See bench/README.md.
 *
 *   node --import tsx bench/activity-range-scan.ts [--db sqlite|postgres|both] [--events 1000000]
 *        [--conversations 10000] [--queries 200] [--seed 1]
 *   env: DATABASE_URL (a PostgreSQL server to create throwaway databases on; default: start one)
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CompiledQuery, sql } from 'kysely';
import type { ActivityKind } from '../src/domain/activity/activity.js';
import { openDatabase, type Database } from '../src/store/sql/database.js';
import { SqlActivityStore, activityRangeQuery, conversationActivityQuery } from '../src/store/sql/sql-activity-store.js';
import { generate } from './generate.js';
import { runBench, type Cleanup } from './lib/cleanup.js';
import { environment, parseDbChoice, wholeNumber, type DbKind } from './lib/options.js';
import { writeResults } from './lib/paths.js';
import { acquirePostgres, type PostgresHost } from './lib/postgres.js';
import { randomIndex, seededRandom } from './lib/random.js';
import { summarizeLatencies, type LatencySummary } from './lib/stats.js';
import { fmt, printTable } from './lib/table.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const DAYS = 90;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const KINDS = ['created', 'handed_over', 'assigned', 'customer_replied', 'first_human_reply', 'status_changed', 'reopened', 'sla_breached'];
/** Rows per statement while loading. */
const BATCH = 100_000;

interface Settings {
  databases: DbKind[];
  events: number;
  conversations: number;
  queries: number;
  seed: number;
}

interface Measurement {
  name: string;
  /** Rows each call returned, on average. */
  rows: number;
  latency: LatencySummary;
}

interface Run {
  db: DbKind;
  events: number;
  loadSeconds: number;
  measurements: Measurement[];
  /** A whole day read page by page (1,000 a page): rows and rows per second. */
  dayScan: { rows: number; seconds: number; rowsPerSecond: number };
  plans: { name: string; plan: string[] }[];
}

function readSettings(): Settings {
  const { values } = parseArgs({
    options: { db: { type: 'string' }, events: { type: 'string' }, conversations: { type: 'string' }, queries: { type: 'string' }, seed: { type: 'string' } },
    strict: true,
  });
  return {
    databases: parseDbChoice(values.db, 'both'),
    events: wholeNumber('--events', values.events, 1_000_000),
    conversations: wholeNumber('--conversations', values.conversations, 10_000),
    queries: wholeNumber('--queries', values.queries, 200),
    seed: wholeNumber('--seed', values.seed, 1, 0),
  };
}

await runBench(async (cleanup) => {
  const settings = readSettings();
  const postgres = settings.databases.includes('postgres') ? await acquirePostgres(cleanup) : undefined;
  const runs: Run[] = [];
  for (const db of settings.databases) runs.push(await measure(db, settings, cleanup, postgres));

  printTable(
    `Activity reads over ${fmt.int(settings.events)} events, ${fmt.int(settings.conversations)} conversations, ${DAYS} days (${settings.queries} calls each, ms)`,
    ['database', 'read', 'rows/call', 'p50', 'p90', 'p99', 'max'],
    runs.flatMap((run) =>
      run.measurements.map((m) => [
        run.db,
        m.name,
        fmt.int(m.rows),
        fmt.ms(m.latency.p50Ms),
        fmt.ms(m.latency.p90Ms),
        fmt.ms(m.latency.p99Ms),
        fmt.ms(m.latency.maxMs),
      ]),
    ),
  );
  printTable(
    'A whole day scanned page by page (1,000 a page)',
    ['database', 'rows', 'seconds', 'rows/s', 'load (s)'],
    runs.map((run) => [run.db, fmt.int(run.dayScan.rows), fmt.ms(run.dayScan.seconds, 3), fmt.int(run.dayScan.rowsPerSecond), fmt.ms(run.loadSeconds, 1)]),
  );
  for (const run of runs) {
    for (const plan of run.plans) process.stdout.write(`\n${run.db}: ${plan.name}\n  ${plan.plan.join('\n  ')}\n`);
  }
  const file = writeResults('activity-range-scan', { environment: environment(), settings, runs });
  process.stdout.write(`\nResults: ${path.relative(process.cwd(), file)}\n`);
});

async function measure(db: DbKind, settings: Settings, cleanup: Cleanup, postgres: PostgresHost | undefined): Promise<Run> {
  const { dir } = cleanup.tempDir('finch-activity-bench-');
  const databaseUrl = db === 'postgres' ? (await postgres!.newDatabase('activity_bench')).url : undefined;
  await generate({ conversations: settings.conversations, messagesPerConversation: 1, dataDir: dir, databaseUrl });
  const database = openDatabase({ url: databaseUrl, dataDir: dir, poolSize: 2, queryTimeoutSeconds: 0 });
  try {
    process.stderr.write(`${db}: loading ${fmt.int(settings.events)} events…\n`);
    const started = performance.now();
    await loadEvents(database, settings.events);
    const loadSeconds = (performance.now() - started) / 1000;
    process.stderr.write(`${db}: loaded in ${fmt.seconds(loadSeconds)}; measuring…\n`);

    const store = new SqlActivityStore(database);
    const random = seededRandom(settings.seed);
    const conversations = (await database.db.selectFrom('conversations').select('id').orderBy('id').execute()).map((row) => row.id);
    const span = DAYS * DAY;
    const instant = () => new Date(T0 + Math.floor(random() * (span - DAY))).toISOString();
    const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
    /** Rows in a range of `ms` from a random instant, with more of the scan's options. */
    const range = (ms: number, more: { kind?: ActivityKind; afterMs?: number } = {}) => {
      const from = instant();
      const after = more.afterMs === undefined ? undefined : { at: later(from, more.afterMs), id: 'act_' };
      return store.scanActivity({ from, to: later(from, ms), limit: 1000, kind: more.kind, after }).then((rows) => rows.length);
    };
    const reads: { name: string; run: () => Promise<number> }[] = [
      { name: 'one hour, every conversation', run: () => range(HOUR) },
      { name: 'one day, first page of 1,000', run: () => range(DAY) },
      { name: 'one day, one kind, 1,000', run: () => range(DAY, { kind: 'assigned' }) },
      { name: 'one day, a later page (cursor)', run: () => range(DAY, { afterMs: DAY / 2 }) },
      {
        name: "a conversation's timeline (100)",
        run: async () => (await store.listActivity(conversations[randomIndex(random, conversations.length)]!, { limit: 100 })).length,
      },
    ];
    const measurements: Measurement[] = [];
    for (const read of reads) {
      for (let i = 0; i < Math.min(20, settings.queries); i++) await read.run(); // warm-up
      const latencies: number[] = [];
      let rows = 0;
      for (let i = 0; i < settings.queries; i++) {
        const start = performance.now();
        rows += await read.run();
        latencies.push(performance.now() - start);
      }
      measurements.push({ name: read.name, rows: rows / settings.queries, latency: summarizeLatencies(latencies) });
    }

    const dayStart = instant();
    const scanStarted = performance.now();
    let scanned = 0;
    for (let page = await store.scanActivity({ from: dayStart, to: later(dayStart, DAY), limit: 1000 }); page.length > 0; ) {
      scanned += page.length;
      const last = page.at(-1)!;
      page = await store.scanActivity({ from: dayStart, to: later(dayStart, DAY), limit: 1000, after: { at: last.at, id: last.id } });
    }
    const seconds = (performance.now() - scanStarted) / 1000;

    const from = instant();
    const plans = [
      {
        name: 'one day, every conversation',
        plan: await explain(database, activityRangeQuery(database.db, { from, to: later(from, DAY), limit: 1000 }).compile()),
      },
      {
        name: 'one day, one kind',
        plan: await explain(database, activityRangeQuery(database.db, { from, to: later(from, DAY), kind: 'assigned', limit: 1000 }).compile()),
      },
      { name: "a conversation's timeline", plan: await explain(database, conversationActivityQuery(database.db, conversations[0]!, { limit: 100 }).compile()) },
    ];
    return { db, events: settings.events, loadSeconds, measurements, dayScan: { rows: scanned, seconds, rowsPerSecond: scanned / seconds }, plans };
  } finally {
    await database.close();
  }
}

/**
 * Events i = 0…n-1, at T0 + i × (90 days / n), of conversation i mod C (every conversation has
 * events all along), of kind i mod 8; ids increase with time as Finch's do. Then ANALYZE.
 */
async function loadEvents(database: Database, events: number): Promise<void> {
  const db = database.db;
  const stepMs = (DAYS * DAY) / events;
  const kind = sql.raw(`CASE i % ${KINDS.length} ${KINDS.map((k, n) => `WHEN ${n} THEN '${k}'`).join(' ')} END`);
  await sql`CREATE TABLE bench_conversations AS SELECT (row_number() OVER (ORDER BY id)) - 1 AS k, id FROM conversations`.execute(db);
  const count = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM bench_conversations`.execute(db)).rows[0]!.n);
  for (let start = 0; start < events; start += BATCH) {
    const end = Math.min(events, start + BATCH) - 1;
    if (database.dialect === 'postgres') {
      await sql`
        INSERT INTO conversation_activity (id, conversation_id, at, kind, actor_type, actor_id, details)
        SELECT 'act_bench' || lpad(i::text, 10, '0'), c.id, ${new Date(T0).toISOString()}::timestamptz + floor(i::float8 * ${stepMs}::float8) * interval '1 millisecond',
               ${kind}, 'system', NULL, '{}'::jsonb
        FROM generate_series(${start}::int, ${end}::int) AS i JOIN bench_conversations c ON c.k = i % ${count}`.execute(db);
    } else {
      // One transaction per batch: SQLite writes each statement's pages once.
      await sql`
        WITH RECURSIVE n(i) AS (SELECT ${start} UNION ALL SELECT i + 1 FROM n WHERE i < ${end})
        INSERT INTO conversation_activity (id, conversation_id, at, kind, actor_type, actor_id, details)
        SELECT 'act_bench' || printf('%010d', i), c.id, strftime('%Y-%m-%dT%H:%M:%fZ', ${T0 / 1000}, 'unixepoch', '+' || (i * ${stepMs} / 1000.0) || ' seconds'),
               ${kind}, 'system', NULL, '{}'
        FROM n JOIN bench_conversations c ON c.k = i % ${count}`.execute(db);
    }
    process.stderr.write(`  ${fmt.int(end + 1)} / ${fmt.int(events)}\n`);
  }
  await sql`DROP TABLE bench_conversations`.execute(db);
  await sql.raw(database.dialect === 'postgres' ? 'VACUUM ANALYZE conversation_activity' : 'ANALYZE').execute(db);
}

/** The plan as the database runs it: EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL. */
async function explain(database: Database, query: CompiledQuery): Promise<string[]> {
  const prefix = database.dialect === 'postgres' ? 'EXPLAIN (ANALYZE, BUFFERS)' : 'EXPLAIN QUERY PLAN';
  const { rows } = await database.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`${prefix} ${query.sql}`, [...query.parameters]));
  return rows.map((row) => String(row['QUERY PLAN'] ?? row.detail));
}
