/**
 * How long after Fin hands a conversation over is it assigned to a person? 20 agents are online
 * (each signed in with the inbox's live event stream open, so presence is what the product sees),
 * routing is `balanced`, and Fin hands conversations over open-loop at a fixed rate (50/s by
 * default) through the Fin API (`update_conversation` with `assignee_id: null`): p50/p90/p99 of
 * hand-over sent → assigned. On SQLite with one server, and on PostgreSQL with two server
 * processes on one database (hand-overs alternate between them; each runs its router). See
 * bench/README.md ("routing-latency.ts").
 *
 * "Assigned" is the assignment's time as Finch records it (the conversation's `assigned_at`, the
 * routing pass's time once it holds the routing lock; the commit follows within the pass). Bench
 * and servers share the machine's wall clock (ms). Afterwards the run is audited: every
 * conversation assigned exactly once (one automatic `assigned` activity event), nobody over
 * capacity.
 *
 *   node --import tsx bench/routing-latency.ts [--db sqlite|postgres|both] [--rate 50] [--duration 30]
 *        [--warmup 5] [--agents 20]
 *   env: BENCH_DURATION, BENCH_WARMUP (s; the flags win), DATABASE_URL (a PostgreSQL server to
 *        create throwaway databases on; default: start one)
 */
import { parseArgs } from 'node:util';
import { FinClient } from '../src/client/fin-client.js';
import { openDatabase } from '../src/store/sql/database.js';
import { Cleanup, runBench } from './lib/cleanup.js';
import { CpuMeter, findPostmaster, waitForQuiet, type CpuUse } from './lib/cpu.js';
import { deployFinch, type Deployment } from './lib/finch-deployment.js';
import { ensureBuilt, finchEnv, type FinchTarget } from './lib/finch-process.js';
import { runOpenLoop, type OpenLoopResult } from './lib/open-loop.js';
import { environment, parseDbChoice, wholeNumber, type DbKind } from './lib/options.js';
import { REPO_ROOT, writeResults } from './lib/paths.js';
import { acquirePostgres, type PostgresHost } from './lib/postgres.js';
import { seedConversation } from './lib/seed-api.js';
import { delay, startService } from './lib/service.js';
import { summarizeLatencies, type LatencySummary } from './lib/stats.js';
import { fmt, printTable } from './lib/table.js';
import { WebhookReceiver } from './lib/webhook-receiver.js';

interface Settings {
  databases: DbKind[];
  ratePerSecond: number;
  durationSeconds: number;
  warmupSeconds: number;
  agents: number;
}

const SEED_CONCURRENCY = 8;
const AGENT_PASSWORD = 'bench agent password, not secret';
/** How long to wait for the last assignments before calling them missing. */
const DRAIN_MS = 30_000;

function readSettings(): Settings {
  const { values } = parseArgs({
    options: { db: { type: 'string' }, rate: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, agents: { type: 'string' } },
    strict: true,
  });
  return {
    databases: parseDbChoice(values.db, 'both'),
    ratePerSecond: wholeNumber('--rate', values.rate, 50),
    durationSeconds: wholeNumber('--duration', values.duration ?? process.env.BENCH_DURATION, 30),
    warmupSeconds: wholeNumber('--warmup', values.warmup ?? process.env.BENCH_WARMUP, 5, 0),
    agents: wholeNumber('--agents', values.agents, 20),
  };
}

interface Run {
  db: DbKind;
  setup: string;
  handOvers: number;
  sentPerSecond: number;
  statuses: Record<string, number>;
  /** Hand-over sent → assigned. */
  toAssigned: LatencySummary;
  /** The hand-over request itself. */
  request: LatencySummary;
  sendLag: LatencySummary;
  /** Measured hand-overs never assigned within the drain. */
  unassigned: number;
  /** Conversations with more than one automatic assignment (must be 0). */
  assignedTwice: number;
  /** Most open conversations any agent held, and the capacity. */
  mostOpen: number;
  capacity: number;
  /** Cores busy with other work just before the run (after waiting up to QUIET_WAIT_MS for it to stop). */
  busyBefore: number | undefined;
  /** Cores used during the run. */
  cpu: CpuUse;
}

/** Cores busy with other work (not Finch, the database or the bench) above which a run is flagged. */
const BUSY_MACHINE = 0.2;
const QUIET_WAIT_MS = 60_000;

await runBench(async (cleanup) => {
  const settings = readSettings();
  ensureBuilt();
  const postgres = settings.databases.includes('postgres') ? await acquirePostgres(cleanup) : undefined;
  const runs: Run[] = [];
  for (const db of settings.databases) runs.push(await measure(db, settings, postgres));
  report(runs, settings);
});

async function measure(db: DbKind, settings: Settings, postgres: PostgresHost | undefined): Promise<Run> {
  const servers = db === 'postgres' ? 2 : 1;
  const setup = `${db}, ${servers} server${servers > 1 ? 's' : ''}`;
  const label = `[${setup}]`;
  const scope = new Cleanup();
  try {
    const { dir } = scope.tempDir(`finch-routing-${db}-`);
    const database = db === 'postgres' ? await postgres!.newDatabase('finch_routing') : undefined;
    const target: FinchTarget = { dataDir: dir, databaseUrl: database?.url };
    // Fin's webhook endpoint: each assignment is a notification, delivered as in production.
    const receiver = await new WebhookReceiver().start();
    scope.add('stop the receiver', () => receiver.stop());
    log(`${label} starting Finch…`);
    const first = await deployFinch({ ...target, receiverUrl: receiver.baseUrl, workers: 0 }, scope);
    const baseUrls = [first.baseUrl];
    const pids = [first.serverPid];
    for (let index = 1; index < servers; index++) {
      const server = await startSecondServer(target, receiver.baseUrl, scope);
      baseUrls.push(server.baseUrl);
      pids.push(server.pid);
    }
    const databasePid = database ? findPostmaster(Number(new URL(database.url).port || 5432)) : undefined;

    const total = (settings.warmupSeconds + settings.durationSeconds) * settings.ratePerSecond;
    // Room for every hand-over of the run: what is measured is routing, not a queue waiting for capacity.
    const capacity = Math.ceil(total / settings.agents) + 10;
    const admin = (method: string, path: string, body?: unknown) => call(first.baseUrl, method, path, { authorization: `Bearer ${first.agentToken}` }, body);
    await admin('PUT', '/settings/routing', { mode: 'off', capacity, reassign_when_away: false });
    const streams = await agentsOnline(first, baseUrls, settings.agents, label, scope);

    log(`${label} seeding ${total} conversations through the Fin API…`);
    const fins = baseUrls.map((baseUrl) => new FinClient({ baseUrl: `${baseUrl}/api/fin`, variant: 'rest', token: first.finToken }));
    const ids = await seed(fins[0]!, total);
    await admin('PUT', '/settings/routing', { mode: 'balanced', capacity, reassign_when_away: false });
    if ((await admin('GET', '/agents')).filter((agent: { presence?: string }) => agent.presence === 'online').length < settings.agents) {
      throw new Error('the agents are not all online');
    }

    const busyBefore = await waitForQuiet({ watched: pids, databasePid, threshold: BUSY_MACHINE, windowMs: 2000, maxMs: QUIET_WAIT_MS });
    const meter = new CpuMeter(pids, databasePid);
    log(`${label} ${settings.ratePerSecond} hand-overs/s for ${settings.warmupSeconds} s warmup + ${settings.durationSeconds} s, open loop…`);
    const sent: { at: number; request: number; status: number }[] = new Array(total);
    const answers: Promise<void>[] = [];
    const schedule: OpenLoopResult = await runOpenLoop({
      ratePerSecond: settings.ratePerSecond,
      count: total,
      send: (index) => {
        const at = Date.now();
        const started = performance.now();
        answers.push(
          fins[index % fins.length]!.call('update_conversation', { conversation_id: ids[index]!, assignee_id: null }).then(
            (response) => void (sent[index] = { at, request: performance.now() - started, status: response.status }),
            () => void (sent[index] = { at, request: performance.now() - started, status: 0 }),
          ),
        );
      },
    });
    await Promise.all(answers);
    const cpu = meter.stop();
    const audit = await auditRun(target, ids, settings.warmupSeconds * settings.ratePerSecond, sent, label);
    for (const stream of streams) stream.abort();
    const measured = sent.slice(settings.warmupSeconds * settings.ratePerSecond);
    const statuses: Record<string, number> = {};
    for (const { status } of measured) statuses[status] = (statuses[status] ?? 0) + 1;
    const times = measured.map(({ at }) => at);
    return {
      db,
      setup,
      handOvers: measured.length,
      sentPerSecond: (measured.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000),
      statuses,
      toAssigned: summarizeLatencies(audit.latencies),
      request: summarizeLatencies(measured.map(({ request }) => request)),
      sendLag: schedule.lag,
      unassigned: audit.unassigned,
      assignedTwice: audit.assignedTwice,
      mostOpen: audit.mostOpen,
      capacity,
      busyBefore,
      cpu,
    };
  } finally {
    await scope.runAll();
  }
}

/** A second `finch start` on the same database and settings (PostgreSQL): its own router, dispatcher and port. */
async function startSecondServer(target: FinchTarget, receiverUrl: string, scope: Cleanup): Promise<{ baseUrl: string; pid: number }> {
  const server = await startService({
    name: 'Finch (second server)',
    command: process.execPath,
    args: [`${REPO_ROOT}/dist/cli/main.js`, 'start'],
    cwd: REPO_ROOT,
    env: { ...finchEnv(target), FINCH_FIN_INTEGRATION_ID: 'int_bench', FINCH_FIN_WEBHOOK_KEY: 'bench-webhook-key', FINCH_FIN_BASE_URL: receiverUrl },
    timeoutMs: 120_000,
    ready: (lines) => lines.map((line) => /Finch is running at (http:\/\/\S+)/.exec(line)?.[1]).find(Boolean),
  });
  scope.add('stop the second Finch', server.stop);
  return { baseUrl: server.info, pid: server.pid };
}

/**
 * `count` agents, each signed in with the inbox's live event stream open (on the servers in turn):
 * online, as the product knows it. Returns the streams' abort controllers.
 */
async function agentsOnline(first: Deployment, baseUrls: string[], count: number, label: string, scope: Cleanup): Promise<AbortController[]> {
  log(`${label} ${count} agents online…`);
  const streams: AbortController[] = [];
  scope.add('close the event streams', () => {
    for (const stream of streams) stream.abort();
  });
  for (let index = 0; index < count; index++) {
    const email = `agent.${index}@example.test`;
    await call(first.baseUrl, 'POST', '/agents', { authorization: `Bearer ${first.agentToken}` }, { name: `Agent ${index}`, email, password: AGENT_PASSWORD });
    const baseUrl = baseUrls[index % baseUrls.length]!;
    const session = await fetch(`${baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: AGENT_PASSWORD }),
    });
    if (session.status !== 200) throw new Error(`sign-in: ${session.status}`);
    const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
    const controller = new AbortController();
    const stream = await fetch(`${baseUrl}/api/v1/events`, { headers: { cookie, accept: 'text/event-stream' }, signal: controller.signal });
    if (stream.status !== 200 || !stream.body) throw new Error(`event stream: ${stream.status}`);
    // Read (and drop) what the stream sends, so that it never backs up.
    void stream.body.pipeTo(new WritableStream()).catch(() => undefined);
    streams.push(controller);
  }
  return streams;
}

async function seed(fin: FinClient, count: number): Promise<string[]> {
  const ids: string[] = new Array(count);
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < count; index = next++) ids[index] = (await seedConversation(fin, 1)).conversationId;
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, lane));
  return ids;
}

/** Waits for every hand-over to be assigned (up to DRAIN_MS), then reads when each was and checks the rules held. */
async function auditRun(target: FinchTarget, ids: string[], warmup: number, sent: { at: number }[], label: string) {
  const database = openDatabase({ url: target.databaseUrl, dataDir: target.dataDir, poolSize: 2 });
  try {
    const { db } = database;
    const deadline = Date.now() + DRAIN_MS;
    for (;;) {
      const waiting = await db
        .selectFrom('conversations')
        .select(db.fn.countAll<number | string>().as('n'))
        .where('assignee_id', 'is', null)
        .where('status', '=', 'open')
        .executeTakeFirstOrThrow();
      if (Number(waiting.n) === 0) break;
      if (Date.now() > deadline) {
        log(`${label} ${waiting.n} hand-overs still waiting after ${DRAIN_MS / 1000} s`);
        break;
      }
      await delay(200);
    }
    const rows = await db.selectFrom('conversations').select(['id', 'assignee_id', 'assigned_at']).where('id', 'in', ids).execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    const latencies: number[] = [];
    let unassigned = 0;
    for (let index = warmup; index < ids.length; index++) {
      const row = byId.get(ids[index]!);
      if (!row?.assignee_id || !row.assigned_at) unassigned++;
      else latencies.push(Date.parse(row.assigned_at) - sent[index]!.at);
    }
    const events = await db.selectFrom('conversation_activity').select(['conversation_id', 'details']).where('kind', '=', 'assigned').execute();
    const automatic = new Map<string, number>();
    for (const event of events) {
      const details = (typeof event.details === 'string' ? JSON.parse(event.details) : event.details) as { how?: string };
      if (details.how === 'automatic') automatic.set(event.conversation_id, (automatic.get(event.conversation_id) ?? 0) + 1);
    }
    const perAgent = new Map<string, number>();
    for (const row of rows) if (row.assignee_id) perAgent.set(row.assignee_id, (perAgent.get(row.assignee_id) ?? 0) + 1);
    return {
      latencies,
      unassigned,
      assignedTwice: [...automatic.values()].filter((count) => count > 1).length,
      mostOpen: Math.max(0, ...perAgent.values()),
    };
  } finally {
    await database.close();
  }
}

async function call(baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { ...headers, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return text === '' ? undefined : JSON.parse(text);
}

function report(runs: Run[], settings: Settings): void {
  printTable(
    `Hand-over → assigned: Fin hands over open-loop at ${settings.ratePerSecond}/s for ${settings.durationSeconds} s (after ${settings.warmupSeconds} s warmup), ` +
      `${settings.agents} agents online, routing balanced; ms`,
    [
      'setup',
      'hand-overs',
      'sent/s',
      'answers',
      'p50',
      'p90',
      'p99',
      'max',
      'request p50',
      'p99',
      'send lag p99',
      'unassigned',
      'twice',
      'most open / capacity',
      'busy before',
      'others during',
    ],
    runs.map((run) => [
      run.setup,
      fmt.int(run.handOvers),
      fmt.ms(run.sentPerSecond, 1),
      Object.entries(run.statuses)
        .map(([status, count]) => `${status}×${count}`)
        .join(' '),
      fmt.ms(run.toAssigned.p50Ms, 1),
      fmt.ms(run.toAssigned.p90Ms, 1),
      fmt.ms(run.toAssigned.p99Ms, 1),
      fmt.ms(run.toAssigned.maxMs, 1),
      fmt.ms(run.request.p50Ms, 1),
      fmt.ms(run.request.p99Ms, 1),
      fmt.ms(run.sendLag.p99Ms, 1),
      fmt.int(run.unassigned),
      fmt.int(run.assignedTwice),
      `${run.mostOpen} / ${run.capacity}`,
      run.busyBefore === undefined ? '–' : `${run.busyBefore.toFixed(2)} cores${run.busyBefore > BUSY_MACHINE ? ' (busy machine)' : ''}`,
      run.cpu.others === undefined ? '–' : `${run.cpu.others.toFixed(2)} cores`,
    ]),
  );
  const file = writeResults('routing-latency', { environment: environment(), settings, runs });
  process.stdout.write(`\nResults: ${file}\n`);
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
