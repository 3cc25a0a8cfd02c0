/**
 * Does Finch hold up for half an hour of ordinary work? A realistic mix (bench/lib/soak-mix.ts: Fin
 * syncing and relaying end-users' messages, agents reading queues and threads, replying, writing
 * notes and tagging, new conversations now and then) plus live event streams open throughout and
 * every helpdesk-side change notified to a receiver standing in for Fin, at half of the mix's
 * measured capacity, for --duration seconds on each database (PostgreSQL with `finch worker`s).
 *
 * First a closed loop of the same mix finds the capacity (ops/s); then the open loop runs at half
 * of it (or --rate). After a warm-up, it checks what a long run must not do: fail a request, lose
 * or repeat a notification, drop a live stream, grow the server's memory by more than 10 %, or
 * grow its open files or database connections. See bench/README.md.
 *
 *   node --import tsx bench/soak.ts [--db sqlite|postgres|both] [--duration 1800] [--warmup 120]
 *        [--rate N] [--capacity-seconds 20] [--conversations 200] [--streams 20] [--workers 2]
 *        [--connections 32] [--seed 1]
 *   env: DATABASE_URL (a PostgreSQL server to create throwaway databases on; default: start one)
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { FinClient } from '../src/client/fin-client.js';
import { AgentApiClient } from './lib/agent-api-client.js';
import { Cleanup, runBench } from './lib/cleanup.js';
import { exitedProcesses, deployFinch, type Deployment } from './lib/finch-deployment.js';
import { ensureBuilt, type FinchTarget } from './lib/finch-process.js';
import { TimedHttpClient } from './lib/http-timer.js';
import { runOpenLoop } from './lib/open-loop.js';
import { environment, parseDbChoice, wholeNumber, type DbKind } from './lib/options.js';
import { connectionsTo, readOpenFiles, type OpenFiles } from './lib/open-files.js';
import { auditOutbox, type OutboxAudit } from './lib/outbox-audit.js';
import { writeResults } from './lib/paths.js';
import { acquirePostgres, type PostgresHost } from './lib/postgres.js';
import { findPostmaster } from './lib/cpu.js';
import { seededRandom } from './lib/random.js';
import { readRss } from './lib/rss.js';
import { delay } from './lib/service.js';
import { MIX, pick, settle, startConversation, type MixContext, type Outcome } from './lib/soak-mix.js';
import { summarizeLatencies, type LatencySummary } from './lib/stats.js';
import { fmt, printTable } from './lib/table.js';
import { Timeline, type TimelineWindow } from './lib/timeline.js';
import { WebhookReceiver } from './lib/webhook-receiver.js';

interface Settings {
  databases: DbKind[];
  durationSeconds: number;
  warmupSeconds: number;
  /** Ops/s of the soak; undefined: half the measured capacity. */
  rate: number | undefined;
  capacitySeconds: number;
  conversations: number;
  streams: number;
  workers: number;
  connections: number;
  seed: number;
}

/** The limits a run is judged by (issue 14, item 6). */
const RSS_GROWTH_LIMIT = 0.1;
/**
 * RSS growth is judged on the median of this long a window just after the warm-up against the
 * median of the run's last such window: a single sample of a collected heap lands anywhere in a
 * range of ±25 % (seen: 229–360 MB within one run), so one sample against one says more about
 * where two collections fell than about growth. Shorter runs use a third of what they ran.
 */
const RSS_WINDOW_SECONDS = 300;
/** Open files may wobble by the files and sockets in flight at the moment they are counted. */
const FD_WOBBLE = 8;
const SAMPLE_MS = 10_000;
/** The over-time table's window. */
const WINDOW_SECONDS = 60;
const DRAIN_MS = 60_000;

/** The server's (and workers') resources at one moment. */
interface Snapshot {
  atSeconds: number;
  rss: number[];
  /** Per process; undefined once it is gone. */
  files: (OpenFiles | undefined)[];
  /** Connections the bench itself holds to the server (its clients' pools and the live streams). */
  benchConnections: number;
  databaseConnections: number | undefined;
  /**
   * Connections ever opened to Finch's database but the bench's own (`pg_stat_database.sessions`,
   * PostgreSQL 14 and later; undefined before, on SQLite, and when the sample could not read it):
   * the pools' churn between two samples.
   */
  databaseSessions: number | undefined;
}

interface OperationResult {
  name: string;
  count: number;
  failed: number;
  latency: LatencySummary;
}

interface Run {
  db: DbKind;
  capacity: number;
  rate: number;
  operations: OperationResult[];
  firstProblem: string | undefined;
  snapshots: Snapshot[];
  /** Minute by minute, warm-up included. */
  timeline: TimelineWindow[];
  streams: { opened: number; open: number; events: number };
  outbox: OutboxAudit;
  repeatedDeliveries: number;
  exited: string[];
  verdicts: { check: string; ok: boolean; detail: string }[];
}

function readSettings(): Settings {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rate: { type: 'string' },
      'capacity-seconds': { type: 'string' },
      conversations: { type: 'string' },
      streams: { type: 'string' },
      workers: { type: 'string' },
      connections: { type: 'string' },
      seed: { type: 'string' },
    },
    strict: true,
  });
  return {
    databases: parseDbChoice(values.db, 'both'),
    durationSeconds: wholeNumber('--duration', values.duration, 1800),
    warmupSeconds: wholeNumber('--warmup', values.warmup, 120, 0),
    rate: values.rate === undefined ? undefined : wholeNumber('--rate', values.rate, 1),
    capacitySeconds: wholeNumber('--capacity-seconds', values['capacity-seconds'], 20),
    conversations: wholeNumber('--conversations', values.conversations, 200),
    streams: wholeNumber('--streams', values.streams, 20, 0),
    workers: wholeNumber('--workers', values.workers, 2, 0),
    connections: wholeNumber('--connections', values.connections, 32),
    seed: wholeNumber('--seed', values.seed, 1, 0),
  };
}

await runBench(async (cleanup) => {
  const settings = readSettings();
  ensureBuilt();
  const postgres = settings.databases.includes('postgres') ? await acquirePostgres(cleanup) : undefined;
  const runs: Run[] = [];
  for (const db of settings.databases) runs.push(await soak(db, settings, postgres, cleanup));
  report(runs, settings);
});

async function soak(db: DbKind, settings: Settings, postgres: PostgresHost | undefined, cleanup: Cleanup): Promise<Run> {
  const workers = db === 'postgres' ? settings.workers : 0;
  const label = `[${db}]`;
  const scope = new Cleanup();
  const finish = cleanup.add(`clean up after ${db}`, () => scope.runAll());
  try {
    const { dir } = scope.tempDir(`finch-soak-${db}-`);
    const database = db === 'postgres' ? await postgres!.newDatabase('finch_soak') : undefined;
    if (database) scope.add('drop the database', database.drop);
    const target: FinchTarget = { dataDir: dir, databaseUrl: database?.url };
    const receiver = await new WebhookReceiver().start();
    scope.add('stop the receiver', () => receiver.stop());
    log(`${label} starting Finch (${workers > 0 ? `${workers} workers` : 'the server delivers'})…`);
    const finch = await deployFinch({ ...target, receiverUrl: receiver.baseUrl, workers }, scope);

    const fin = new FinClient({ baseUrl: `${finch.baseUrl}/api/fin`, variant: 'rest', token: finch.finToken });
    const context: MixContext = {
      fin,
      finReads: new TimedHttpClient(finch.baseUrl, { authorization: `Bearer ${finch.finToken}`, accept: 'application/json' }, settings.connections),
      agentReads: new TimedHttpClient(finch.baseUrl, { authorization: `Bearer ${finch.agentToken}`, accept: 'application/json' }, settings.connections),
      agentWrites: new AgentApiClient(finch.baseUrl, finch.agentToken, settings.connections),
      conversations: [],
    };
    scope.add('close the clients', () => {
      context.finReads.close();
      context.agentReads.close();
      context.agentWrites.close();
    });
    log(`${label} seeding ${settings.conversations} conversations…`);
    for (let index = 0; index < settings.conversations; index++) {
      const created = await startConversation(fin, index);
      if ('problem' in created) throw new Error(`seeding: ${created.status} ${created.problem}`);
      context.conversations.push(created);
    }
    const streams = openStreams(finch, settings.streams);
    scope.add('close the streams', () => streams.close());

    const random = seededRandom(settings.seed);
    let sequence = 0;
    const next = () => {
      const operation = pick(random);
      const conversation = context.conversations[Math.floor(random() * context.conversations.length)]!;
      const n = sequence++;
      return { operation, promise: settle(operation.run(context, conversation, n)) };
    };

    log(`${label} measuring the mix's capacity for ${settings.capacitySeconds} s (${settings.connections} at a time)…`);
    const capacity = await measureCapacity(next, settings);
    const rate = settings.rate ?? Math.max(1, Math.floor(capacity / 2));
    log(
      `${label} capacity ${fmt.int(capacity)} ops/s; soaking at ${fmt.int(rate)} ops/s for ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s…`,
    );

    const since = new Date().toISOString();
    const firstReceipt = receiver.receipts.length;
    const results = new Map<string, { outcomes: Outcome[] }>(MIX.map((operation) => [operation.name, { outcomes: [] }]));
    let firstProblem: string | undefined;
    // Every operation in flight, each gone once it settled (settle() gives up after 30 s).
    const pending = new Set<Promise<void>>();
    const snapshots: Snapshot[] = [];
    const sampleDatabase = database ? databaseSampler(database.url, scope, (line) => log(`${label} ${line}`)) : undefined;
    const databasePort = database ? Number(new URL(database.url).port || 5432) : undefined;
    const started = performance.now();
    const timeline = new Timeline({
      windowSeconds: WINDOW_SECONDS,
      watched: [finch.serverPid, ...finch.workerPids],
      databasePid: databasePort === undefined ? undefined : findPostmaster(databasePort),
      metricsUrl: `${finch.baseUrl}/metrics`,
    });
    const warmupOps = settings.warmupSeconds * rate;
    const sampler = setInterval(
      () =>
        void snapshot(finch, sampleDatabase, databasePort, started).then(
          (s) => snapshots.push(s),
          (error: unknown) => log(`${label} a resource sample failed: ${(error as Error).message}`),
        ),
      SAMPLE_MS,
    );
    // Stopped below; should the run throw before that, the timers must not keep the bench alive,
    // nor sample after the cleanup closed what they read.
    sampler.unref();
    scope.add('stop sampling', async () => clearInterval(sampler));
    scope.add('stop the timeline', async () => void (await timeline.stop()));
    await runOpenLoop({
      ratePerSecond: rate,
      count: (settings.warmupSeconds + settings.durationSeconds) * rate,
      send: (index) => {
        const { operation, promise } = next();
        const settled = promise.then((outcome) => {
          pending.delete(settled);
          timeline.record(index / rate, operation.name, outcome.ms, outcome.status >= 200 && outcome.status < 300);
          if (index < warmupOps) return;
          results.get(operation.name)!.outcomes.push(outcome);
          if (outcome.status < 200 || outcome.status >= 300) firstProblem ??= `${operation.name}: ${outcome.status} ${outcome.problem ?? ''}`;
        });
        pending.add(settled);
      },
    });
    await Promise.all(pending);
    clearInterval(sampler);
    const windows = await timeline.stop();
    snapshots.push(await snapshot(finch, sampleDatabase, databasePort, started));

    log(`${label} waiting for the last notifications…`);
    const audit = async () => auditOutbox(target, since, receiver.receipts.slice(firstReceipt));
    const deadline = performance.now() + DRAIN_MS;
    let outbox = await audit();
    while ((outbox.eventsByStatus.pending ?? 0) + (outbox.eventsByStatus.in_flight ?? 0) > 0 && performance.now() < deadline) {
      await delay(1000);
      outbox = await audit();
    }
    await delay(1500);
    outbox = await audit();
    const receipts = receiver.receipts.slice(firstReceipt);
    const repeatedDeliveries = receipts.length - new Set(receipts.map((receipt) => receipt.eventId)).size;

    const operations = MIX.map((operation) => {
      const outcomes = results.get(operation.name)!.outcomes;
      return {
        name: operation.name,
        count: outcomes.length,
        failed: outcomes.filter((outcome) => outcome.status < 200 || outcome.status >= 300).length,
        latency: summarizeLatencies(outcomes.map((outcome) => outcome.ms)),
      };
    });
    const streamState = { opened: settings.streams, open: streams.open(), events: streams.events() };
    const exited = exitedProcesses(finch);
    // Kept as each sample finished, which need not be the order they were taken in.
    snapshots.sort((a, b) => a.atSeconds - b.atSeconds);
    const verdicts = judge({ db, operations, snapshots, settings, outbox, repeatedDeliveries, streams: streamState, exited });
    return { db, capacity, rate, operations, firstProblem, snapshots, timeline: windows, streams: streamState, outbox, repeatedDeliveries, exited, verdicts };
  } finally {
    await finish();
  }
}

/** Ops/s of the mix with `connections` loops each sending the next op once the last is answered. */
async function measureCapacity(next: () => { promise: Promise<Outcome> }, settings: Settings): Promise<number> {
  const end = performance.now() + settings.capacitySeconds * 1000;
  let done = 0;
  const loop = async () => {
    while (performance.now() < end) {
      await next().promise;
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: settings.connections }, loop));
  return done / ((performance.now() - started) / 1000);
}

/**
 * The server's and workers' memory and open files, the bench's own connections to the server, and
 * the database's connections to Finch's database.
 */
type DatabaseSampler = () => Promise<Pick<Snapshot, 'databaseConnections' | 'databaseSessions'>>;

async function snapshot(finch: Deployment, sampleDatabase: DatabaseSampler | undefined, databasePort: number | undefined, started: number): Promise<Snapshot> {
  const pids = [finch.serverPid, ...finch.workerPids];
  const port = Number(new URL(finch.baseUrl).port);
  return {
    atSeconds: (performance.now() - started) / 1000,
    rss: pids.map((pid) => readRss(pid) ?? Number.NaN),
    files: pids.map((pid) => readOpenFiles(pid, port, databasePort)),
    benchConnections: connectionsTo(process.pid, port),
    ...(sampleDatabase === undefined ? { databaseConnections: undefined, databaseSessions: undefined } : await sampleDatabase()),
  };
}

/**
 * Connections open to Finch's database now, and ever opened to it by Finch. One connection of the
 * bench's own, held all along, so that sampling adds no sessions; should it fail, the sample has
 * no database figures (logged) and the next one connects again, that reconnection not counted as
 * Finch's. Bounded waits, so a database that stops answering cannot hang the run.
 */
function databaseSampler(databaseUrl: string, scope: Cleanup, log: (line: string) => void): DatabaseSampler {
  const database = new URL(databaseUrl).pathname.slice(1);
  let client: pg.Client | undefined;
  let benchSessions = 0;
  const drop = () => {
    const dropped = client;
    client = undefined;
    void dropped?.end().catch(() => undefined);
  };
  scope.add("close the bench's database connection", async () => drop());
  return async () => {
    try {
      if (client === undefined) {
        const connecting = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: SAMPLE_MS, query_timeout: SAMPLE_MS, keepAlive: true });
        connecting.on('error', () => undefined);
        benchSessions++;
        await connecting.connect();
        client = connecting;
      }
      // Not the bench's own connection. `sessions` read through to_jsonb: null, not an error, before PostgreSQL 14.
      const result = await client.query<{ open: string; sessions: string | null }>(
        `SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) AS open,
                (SELECT to_jsonb(d) ->> 'sessions' FROM pg_stat_database d WHERE datname = $1) AS sessions`,
        [database],
      );
      const row = result.rows[0]!;
      return { databaseConnections: Number(row.open), databaseSessions: row.sessions === null ? undefined : Number(row.sessions) - benchSessions };
    } catch (error) {
      log(`the database could not be sampled: ${(error as Error).message}`);
      drop();
      return { databaseConnections: undefined, databaseSessions: undefined };
    }
  };
}

/** `count` live event streams (GET /api/v1/events) as an agent, counting what they hear. */
function openStreams(finch: Deployment, count: number) {
  const url = new URL('/api/v1/events', finch.baseUrl);
  let events = 0;
  const alive = new Set<http.ClientRequest>();
  for (let index = 0; index < count; index++) {
    const request = http.get(url, { headers: { authorization: `Bearer ${finch.agentToken}`, accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) {
        alive.delete(request);
        response.resume();
        return;
      }
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        events += chunk.split('\n').filter((line) => line.startsWith('event: conversations')).length;
      });
      response.on('close', () => alive.delete(request));
    });
    request.on('error', () => alive.delete(request));
    alive.add(request);
  }
  return {
    open: () => alive.size,
    events: () => events,
    close: () => {
      for (const request of alive) request.destroy();
    },
  };
}

function judge(run: {
  db: DbKind;
  operations: OperationResult[];
  snapshots: Snapshot[];
  settings: Settings;
  outbox: OutboxAudit;
  repeatedDeliveries: number;
  streams: Run['streams'];
  exited: string[];
}): Run['verdicts'] {
  const { snapshots, settings } = run;
  // The first snapshot at or after the warm-up's end, against the last.
  const warm = snapshots.find((s) => s.atSeconds >= settings.warmupSeconds) ?? snapshots[0]!;
  const last = snapshots.at(-1)!;
  const failed = run.operations.reduce((total, operation) => total + operation.failed, 0);
  const growth = medianRssGrowth(snapshots, settings.warmupSeconds);
  // One sample against one, as the check was first written: printed beside it, not judged.
  const sampleGrowth = warm.rss.map((rss, index) => (last.rss[index]! - rss) / rss);
  // Finch's own files (all but the connections clients hold to it), which only a leak makes grow.
  const ownGrowth = warm.files.map((files, index) => (last.files[index]?.own ?? Number.NaN) - (files?.own ?? Number.NaN));
  // Connections the server holds beyond what the bench holds to it, or after the bench closed them.
  const server = last.files[0];
  const extraConnections = server === undefined ? Number.NaN : server.accepted - last.benchConnections;
  // A pool keeps spare connections for minutes, so the count after the warm-up can be its most and
  // hide growth below it: connections opened after the warm-up are judged too. A connection that
  // leaks (taken and never given back) makes the pool open another for the same load.
  const connectionGrowth = (last.databaseConnections ?? Number.NaN) - (warm.databaseConnections ?? Number.NaN);
  // Before PostgreSQL 14 there is no such count: only the growth is judged then.
  const countsSessions = warm.databaseConnections === undefined || warm.databaseSessions !== undefined;
  const openedAfterWarmup = countsSessions ? (last.databaseSessions ?? Number.NaN) - (warm.databaseSessions ?? Number.NaN) : 0;
  return [
    { check: 'no request failed', ok: failed === 0, detail: `${fmt.int(failed)} failed` },
    {
      check: 'every change notified (nothing lost)',
      ok: run.outbox.lostConversations.length === 0 && run.outbox.deliveredNotReceived === 0,
      detail: `${run.outbox.lostConversations.length} conversations lost, ${run.outbox.deliveredNotReceived} delivered but not received`,
    },
    { check: 'no notification repeated', ok: run.repeatedDeliveries === 0, detail: `${run.repeatedDeliveries} repeated` },
    { check: 'every live stream still open', ok: run.streams.open === run.streams.opened, detail: `${run.streams.open} of ${run.streams.opened}` },
    { check: 'no process exited', ok: run.exited.length === 0, detail: run.exited.join(', ') || 'none' },
    {
      check: `RSS growth after warm-up ≤ ${RSS_GROWTH_LIMIT * 100} % (median of the first window after it → of the last)`,
      // No sample after the warm-up judges nothing: that is no pass.
      ok: growth.length > 0 && growth.every((g) => g.growth <= RSS_GROWTH_LIMIT),
      detail: `${growth.map((g) => `${fmt.mb(g.first)} → ${fmt.mb(g.last)} MB (${percent(g.growth)})`).join(', ')} over ${fmt.int(growth[0]?.windowSeconds)} s windows; one sample against one: ${sampleGrowth.map(percent).join(', ')}`,
    },
    {
      check: `Finch's own open files do not grow (±${FD_WOBBLE}; all but its clients' connections and its database's)`,
      ok: ownGrowth.every((g) => g <= FD_WOBBLE),
      detail: ownGrowth.map((g) => `${g >= 0 ? '+' : ''}${g}`).join(', '),
    },
    {
      check: `the server holds no connection its client has closed (±${FD_WOBBLE})`,
      ok: server !== undefined && server.closedByPeer <= FD_WOBBLE && extraConnections <= FD_WOBBLE,
      detail:
        server === undefined
          ? 'the server is gone'
          : `${server.accepted} accepted, the bench holds ${last.benchConnections}; ${server.closedByPeer} closed by the bench and still open`,
    },
    run.db === 'sqlite'
      ? { check: 'database connections do not grow', ok: true, detail: 'SQLite (in the open files)' }
      : {
          check: `database connections do not grow, and at most ${FD_WOBBLE} are opened after the warm-up`,
          // Not sampled (the bench could not read the database) is no pass.
          ok: connectionGrowth <= 0 && openedAfterWarmup <= FD_WOBBLE,
          detail: `${warm.databaseConnections ?? '–'} → ${last.databaseConnections ?? '–'}; ${opened(warm, last)} opened in between`,
        },
  ];
}

/**
 * Per process (server first): the median RSS of the first window after the warm-up, of the run's
 * last window, and the growth between them. Windows are RSS_WINDOW_SECONDS long, or a third of
 * the judged span for a shorter run, so they never overlap.
 */
function medianRssGrowth(snapshots: readonly Snapshot[], warmupSeconds: number): { first: number; last: number; growth: number; windowSeconds: number }[] {
  // `snapshots` is in the order the samples were taken (sorted before judging).
  const judged = snapshots.filter((s) => s.atSeconds >= warmupSeconds);
  if (judged.length === 0) return [];
  const from = judged[0]!.atSeconds;
  const to = judged.at(-1)!.atSeconds;
  const windowSeconds = Math.min(RSS_WINDOW_SECONDS, (to - from) / 3);
  const firstWindow = judged.filter((s) => s.atSeconds <= from + windowSeconds);
  const lastWindow = judged.filter((s) => s.atSeconds >= to - windowSeconds);
  return judged[0]!.rss.map((_, index) => {
    const first = median(firstWindow.map((s) => s.rss[index]!));
    const last = median(lastWindow.map((s) => s.rss[index]!));
    return { first, last, growth: (last - first) / first, windowSeconds };
  });
}

/** Connections Finch opened to its database between two samples (its pool's churn), or '–'. */
function opened(from: Snapshot | undefined, to: Snapshot): string {
  if (from?.databaseSessions === undefined || to.databaseSessions === undefined) return '–';
  return fmt.int(to.databaseSessions - from.databaseSessions);
}

function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function percent(fraction: number): string {
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)} %`;
}

function report(runs: Run[], settings: Settings): void {
  for (const run of runs) {
    printTable(
      `${run.db}: ${fmt.int(run.rate)} ops/s (capacity ${fmt.int(run.capacity)}) for ${settings.durationSeconds} s after ${settings.warmupSeconds} s warm-up, ${settings.streams} live streams`,
      ['operation', 'count', 'failed', 'p50 ms', 'p99 ms', 'max ms'],
      run.operations.map((operation) => [
        operation.name,
        fmt.int(operation.count),
        fmt.int(operation.failed),
        fmt.ms(operation.latency.p50Ms),
        fmt.ms(operation.latency.p99Ms),
        fmt.ms(operation.latency.maxMs),
      ]),
    );
    printTimeline(run);
    printTable(
      `${run.db}: resources (server first, then workers)`,
      ['at s', 'RSS MB', "open files (own + clients' + database)", 'bench connections', 'db connections', 'db connections opened'],
      run.snapshots
        .filter((_, index, all) => index % 6 === 0 || index === all.length - 1)
        .map((s) => [
          fmt.int(s.atSeconds),
          s.rss.map(fmt.mb).join(' / '),
          s.files.map((files) => (files === undefined ? '–' : `${files.own} + ${files.accepted} + ${files.database}`)).join(' / '),
          String(s.benchConnections),
          s.databaseConnections === undefined ? '–' : String(s.databaseConnections),
          opened(run.snapshots[0], s),
        ]),
    );
    process.stdout.write(
      `\n${run.db}: ${fmt.int(run.outbox.changesRecorded)} changes recorded in ${fmt.int(run.outbox.events)} notifications; live streams heard ${fmt.int(run.streams.events)} events\n`,
    );
    if (run.firstProblem) process.stdout.write(`first failure: ${run.firstProblem}\n`);
    for (const verdict of run.verdicts) process.stdout.write(`  ${verdict.ok ? 'ok  ' : 'FAIL'} ${verdict.check}: ${verdict.detail}\n`);
  }
  const file = writeResults('soak', { environment: environment(), settings, runs });
  process.stdout.write(`\nResults written to ${file}\n`);
  if (runs.some((run) => run.verdicts.some((verdict) => !verdict.ok))) process.exitCode = 1;
}

/** Each window's requests (by when they were sent) beside the cores and event-loop delays in it. */
function printTimeline(run: Run): void {
  const cores = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(2));
  printTable(
    `${run.db}: over time (requests by the minute they were due; cores, event-loop delay beyond its 10 ms timer, the server's memory at its end)`,
    [
      'from s',
      'requests',
      'failed',
      'p50 ms',
      'p99 ms',
      'max ms',
      'slowest p99',
      'cores Finch',
      'db',
      'bench',
      'others',
      'loop p99/max ms bench',
      'server',
      'server heap/external MB',
    ],
    run.timeline.map((window) => [
      fmt.int(window.fromSeconds),
      fmt.int(window.requests),
      fmt.int(window.failed),
      fmt.ms(window.latency.p50Ms, 1),
      fmt.ms(window.latency.p99Ms, 1),
      fmt.ms(window.latency.maxMs, 0),
      window.slowest ? `${window.slowest.name} ${fmt.ms(window.slowest.p99Ms, 0)}` : '–',
      window.cpu ? window.cpu.processes.map(cores).join('+') : '–',
      cores(window.cpu?.database),
      cores(window.cpu?.self),
      cores(window.cpu?.others),
      window.bench ? `${fmt.ms(window.bench.p99Ms, 0)}/${fmt.ms(window.bench.maxMs, 0)}` : '–',
      window.server ? `${fmt.ms(window.server.p99Ms, 0)}/${fmt.ms(window.server.maxMs, 0)}` : '–',
      window.serverMemory ? `${fmt.mb(window.serverMemory.heapUsed)}/${fmt.mb(window.serverMemory.external)}` : '–',
    ]),
  );
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
