/**
 * How long after an agent's change does Fin hear of it? Agent changes (private notes) go to Finch's
 * agent API open-loop at a fixed rate, each to a different conversation, and a receiver standing in
 * for Fin's webhook endpoint notes when each notification arrives: p50/p90/p99 of change sent →
 * webhook received, and of 201 answered → webhook received (the outbox's own delay). Then a bursty
 * run (many quick changes per conversation) counts the deliveries that coalescing saved and checks
 * that every conversation's last change still reached Fin. On SQLite with the dispatcher in the
 * server, and on PostgreSQL with the server's dispatcher off and `finch worker` processes. See
 * bench/README.md.
 *
 *   node --import tsx bench/webhook-latency.ts [--db sqlite|postgres|both] [--rate 200] [--duration 30]
 *        [--warmup 5] [--conversations 2000] [--burst-conversations 200] [--burst-changes 10]
 *        [--workers 2] [--connections 64] [--drain 30]
 *   env: BENCH_DURATION, BENCH_WARMUP (s; the flags win), DATABASE_URL (a PostgreSQL server to
 *        create throwaway databases on; default: start one)
 */
import { parseArgs } from 'node:util';
import { FinClient } from '../src/client/fin-client.js';
import { AgentApiClient, type Answer } from './lib/agent-api-client.js';
import { BURST_KINDS, changeRequest, type ChangeKind } from './lib/agent-changes.js';
import { Cleanup, runBench } from './lib/cleanup.js';
import { CpuMeter, findPostmaster, waitForQuiet, type CpuUse } from './lib/cpu.js';
import { deployFinch, exitedProcesses, type Deployment } from './lib/finch-deployment.js';
import { ensureBuilt, type FinchTarget } from './lib/finch-process.js';
import { runOpenLoop, type OpenLoopResult } from './lib/open-loop.js';
import { environment, parseDbChoice, wholeNumber, type DbKind } from './lib/options.js';
import { auditOutbox, type OutboxAudit } from './lib/outbox-audit.js';
import { writeResults } from './lib/paths.js';
import { acquirePostgres, type PostgresHost } from './lib/postgres.js';
import { RssSampler, type RssSummary } from './lib/rss.js';
import { seedConversation } from './lib/seed-api.js';
import { delay } from './lib/service.js';
import { summarizeLatencies, type LatencySummary } from './lib/stats.js';
import { fmt, printTable } from './lib/table.js';
import { matchChanges, succeeded, uncoveredConversations, type Change } from './lib/webhook-match.js';
import { LoopDelay, WebhookReceiver } from './lib/webhook-receiver.js';

interface Settings {
  databases: DbKind[];
  ratePerSecond: number;
  durationSeconds: number;
  warmupSeconds: number;
  conversations: number;
  burstConversations: number;
  burstChanges: number;
  /** `finch worker` processes on PostgreSQL. */
  workers: number;
  /** Sockets the load generator may open to Finch. */
  connections: number;
  /** How long to wait for the last notifications before calling them missing. */
  drainSeconds: number;
}

/** Time for a repeated delivery, if there is one, to arrive after the last expected one. */
const GRACE_MS = 1500;
const SEED_CONCURRENCY = 8;
/** Cores busy with other work (not Finch, the database or the bench) above which a run is flagged. */
const BUSY_MACHINE = 0.2;
/** Before the steady run, how long to wait for other work to stop. */
const QUIET_WAIT_MS = 60_000;

function readSettings(): Settings {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      conversations: { type: 'string' },
      'burst-conversations': { type: 'string' },
      'burst-changes': { type: 'string' },
      workers: { type: 'string' },
      connections: { type: 'string' },
      drain: { type: 'string' },
    },
    strict: true,
  });
  const settings: Settings = {
    databases: parseDbChoice(values.db, 'both'),
    ratePerSecond: wholeNumber('--rate', values.rate, 200),
    durationSeconds: wholeNumber('--duration', values.duration ?? process.env.BENCH_DURATION, 30),
    warmupSeconds: wholeNumber('--warmup', values.warmup ?? process.env.BENCH_WARMUP, 5, 0),
    conversations: wholeNumber('--conversations', values.conversations, 2000),
    burstConversations: wholeNumber('--burst-conversations', values['burst-conversations'], 200),
    burstChanges: wholeNumber('--burst-changes', values['burst-changes'], 10),
    workers: wholeNumber('--workers', values.workers, 2, 0),
    connections: wholeNumber('--connections', values.connections, 64),
    drainSeconds: wholeNumber('--drain', values.drain, 30),
  };
  if (settings.burstConversations > settings.conversations) throw new Error('--burst-conversations must not exceed --conversations');
  return settings;
}

interface SteadyResult {
  /** Changes sent in the measured part (after the warmup). */
  sent: number;
  sentPerSecond: number;
  statuses: Record<string, number>;
  firstProblem: string | undefined;
  /** Change sent → its webhook received. */
  sendToWebhook: LatencySummary;
  /** 201 received → webhook received; negative when the webhook came first. */
  answerToWebhook: LatencySummary;
  /** The agent API request itself. */
  request: LatencySummary;
  /** Successful measured changes without a webhook of their own. */
  withoutWebhook: number;
  repeats: number;
  unexplained: number;
  sendLag: LatencySummary;
  benchLoop: { p99Ms: number; maxMs: number };
  serverRss: RssSummary;
  workerRss: RssSummary[];
  /** Cores used during the measured part. */
  cpu: CpuUse;
  /** Cores busy with other work just before the run (after waiting up to QUIET_WAIT_MS for it to stop). */
  busyBefore: number | undefined;
  outbox: OutboxAudit;
}

interface BurstResult {
  conversations: number;
  changesPerConversation: number;
  /** Successful changes. */
  changes: number;
  statuses: Record<string, number>;
  firstProblem: string | undefined;
  changesPerSecond: number;
  webhooks: number;
  distinctEvents: number;
  /** changes − webhooks. */
  saved: number;
  /** Receiver's view: conversations whose last change no webhook followed. */
  uncovered: number;
  /** From the last change sent to the last webhook received. */
  drainMs: number;
  outbox: OutboxAudit;
}

interface Run {
  db: DbKind;
  setup: string;
  seedSeconds: number;
  steady: SteadyResult;
  burst: BurstResult;
  /** Finch processes that were gone by the end of the run (a crash). */
  exited: string[];
  /** Webhooks without a conversation_id or an event id, the first few. */
  malformed: string[];
}

await runBench(async (cleanup) => {
  const settings = readSettings();
  ensureBuilt();
  const postgres = settings.databases.includes('postgres') ? await acquirePostgres(cleanup) : undefined;
  if (settings.conversations < settings.ratePerSecond * 2) {
    log(
      `warning: ${settings.conversations} conversations at ${settings.ratePerSecond}/s come round every ${fmt.ms(settings.conversations / settings.ratePerSecond, 1)} s; changes may coalesce`,
    );
  }
  const runs: Run[] = [];
  for (const db of settings.databases) runs.push(await measure(db, settings, postgres, cleanup));
  report(runs, settings);
});

async function measure(db: DbKind, settings: Settings, postgres: PostgresHost | undefined, cleanup: Cleanup): Promise<Run> {
  const workers = db === 'postgres' ? settings.workers : 0;
  const setup = workers > 0 ? `${db}, ${workers} workers` : `${db}, server dispatcher`;
  const label = `[${setup}]`;
  // This database's processes and files go before the next database's start (they would compete
  // for the CPU), and with the bench's own cleanup on an error or Ctrl-C.
  const scope = new Cleanup();
  const finish = cleanup.add(`clean up after ${db}`, () => scope.runAll());
  try {
    const { dir } = scope.tempDir(`finch-webhook-${db}-`);
    const database = db === 'postgres' ? await postgres!.newDatabase('finch_webhook') : undefined;
    if (database) scope.add('drop the database', database.drop);
    const target: FinchTarget = { dataDir: dir, databaseUrl: database?.url };
    const databasePid = database ? findPostmaster(Number(new URL(database.url).port || 5432)) : undefined;
    const receiver = await new WebhookReceiver().start();
    scope.add('stop the receiver', () => receiver.stop());

    log(`${label} starting Finch…`);
    const finch = await deployFinch({ ...target, receiverUrl: receiver.baseUrl, workers }, scope);
    const seedStart = performance.now();
    const conversationIds = await seedConversations(finch, settings.conversations, label);
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const client = new AgentApiClient(finch.baseUrl, finch.agentToken, settings.connections);
    scope.add('close the agent API client', () => client.close());
    const steady = await steadyRun({ finch, databasePid, target, receiver, client, conversationIds, settings, label });
    const burst = await burstRun({ target, receiver, client, conversationIds: conversationIds.slice(0, settings.burstConversations), settings, label });
    return { db, setup, seedSeconds, steady, burst, exited: exitedProcesses(finch), malformed: receiver.malformed.slice(0, 5) };
  } finally {
    await finish();
  }
}

/** N conversations through the Fin API, as Fin starts them (one end-user and an initial message each). */
async function seedConversations(finch: Deployment, count: number, label: string): Promise<string[]> {
  const client = new FinClient({ baseUrl: `${finch.baseUrl}/api/fin`, variant: 'rest', token: finch.finToken });
  const ids: string[] = new Array(count);
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < count; index = next++) {
      ids[index] = (await seedConversation(client, 1)).conversationId;
      if ((index + 1) % 500 === 0) log(`${label} seeded ${index + 1} conversations`);
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, lane));
  return ids;
}

interface RunContext {
  target: FinchTarget;
  receiver: WebhookReceiver;
  client: AgentApiClient;
  conversationIds: string[];
  settings: Settings;
  label: string;
}

async function steadyRun(context: RunContext & { finch: Deployment; databasePid: number | undefined }): Promise<SteadyResult> {
  const { finch, databasePid, target, receiver, client, conversationIds, settings, label } = context;
  const finchPids = [finch.serverPid, ...finch.workerPids];
  const warmup = settings.warmupSeconds * settings.ratePerSecond;
  const measured = settings.durationSeconds * settings.ratePerSecond;
  log(`${label} steady: ${settings.ratePerSecond} notes/s for ${settings.warmupSeconds} s warmup + ${settings.durationSeconds} s, open loop…`);

  const busyBefore = await waitForQuiet({ watched: finchPids, databasePid, threshold: BUSY_MACHINE, windowMs: 2000, maxMs: QUIET_WAIT_MS });
  const since = new Date().toISOString();
  const firstReceipt = receiver.receipts.length;
  const changes: Change[] = [];
  const answers: Promise<void>[] = [];
  let processes: ProcessMeters | undefined;
  const loop = new LoopDelay();
  // One change per conversation in turn, so that the same conversation comes round only every
  // conversations / rate seconds: by then its last notification is long delivered, and every
  // change has a delivery of its own.
  const schedule: OpenLoopResult = await runOpenLoop({
    ratePerSecond: settings.ratePerSecond,
    count: warmup + measured,
    send: (index) => {
      if (index === warmup) processes = meterProcesses(finchPids, databasePid);
      const conversationId = conversationIds[index % conversationIds.length]!;
      const request = changeRequest('note', conversationId, index);
      answers.push(client.send(request.method, request.path, request.body).then((answer) => void (changes[index] = { conversationId, ...answer })));
    },
  });
  await Promise.all(answers);
  // Up to the last answer: the drain that follows is mostly idle.
  const {
    rss: [serverRss, ...workerRss],
    cpu,
  } = processes!.stop();
  await drain(receiver, changes, firstReceipt, settings, label);
  const benchLoop = loop.stop();

  const receipts = receiver.receipts.slice(firstReceipt);
  // The warmup's changes are matched too (their webhooks must not be taken for later ones') but not counted.
  const matching = matchChanges(changes, receipts);
  const measuredChanges = changes.slice(warmup);
  const counted = new Set(measuredChanges);
  const timed = matching.matched.filter(({ change }) => counted.has(change));
  const sentTimes = measuredChanges.map((change) => change.sentAt);
  return {
    sent: measuredChanges.length,
    sentPerSecond: (measuredChanges.length - 1) / ((Math.max(...sentTimes) - Math.min(...sentTimes)) / 1000),
    ...statusCounts(measuredChanges),
    sendToWebhook: summarizeLatencies(timed.map(({ change, receivedAt }) => receivedAt - change.sentAt)),
    answerToWebhook: summarizeLatencies(timed.map(({ change, receivedAt }) => receivedAt - change.answeredAt)),
    request: summarizeLatencies(measuredChanges.map((change) => change.answeredAt - change.sentAt)),
    withoutWebhook: matching.unmatched.filter((change) => counted.has(change)).length,
    repeats: matching.repeats,
    unexplained: matching.unexplained,
    sendLag: schedule.lag,
    benchLoop,
    serverRss: serverRss!,
    workerRss,
    cpu,
    busyBefore,
    outbox: await auditOutbox(target, since, receipts),
  };
}

/**
 * Every conversation gets `burstChanges` changes one after another, each sent as soon as the last
 * was answered, all conversations at once: a burst of quick edits, as when agents work through
 * their conversations. A change that finds its conversation's event still waiting is merged into it.
 */
async function burstRun(context: RunContext): Promise<BurstResult> {
  const { target, receiver, client, conversationIds, settings, label } = context;
  log(`${label} bursty: ${conversationIds.length} conversations × ${settings.burstChanges} changes…`);
  const since = new Date().toISOString();
  const firstReceipt = receiver.receipts.length;
  const changes: Change[] = [];
  const started = performance.now();
  await Promise.all(
    conversationIds.map(async (conversationId) => {
      for (let step = 0; step < settings.burstChanges; step++) {
        const kind: ChangeKind = BURST_KINDS[step % BURST_KINDS.length]!;
        const request = changeRequest(kind, conversationId, step);
        changes.push({ conversationId, ...(await client.send(request.method, request.path, request.body)) });
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  await drain(receiver, changes, firstReceipt, settings, label);

  const receipts = receiver.receipts.slice(firstReceipt);
  const made = changes.filter(succeeded);
  const lastSent = Math.max(...changes.map((change) => change.sentAt));
  return {
    conversations: conversationIds.length,
    changesPerConversation: settings.burstChanges,
    changes: made.length,
    ...statusCounts(changes),
    changesPerSecond: changes.length / (elapsedMs / 1000),
    webhooks: receipts.length,
    distinctEvents: new Set(receipts.map((receipt) => receipt.eventId)).size,
    saved: made.length - receipts.length,
    uncovered: uncoveredConversations(changes, receipts).length,
    drainMs: Math.max(...receipts.map((receipt) => receipt.at)) - lastSent,
    outbox: await auditOutbox(target, since, receipts),
  };
}

/**
 * Waits until every changed conversation has had a webhook after its last change, then a little
 * longer for repeats. What is still missing after `drainSeconds` is reported, not waited for.
 */
async function drain(receiver: WebhookReceiver, changes: readonly Change[], firstReceipt: number, settings: Settings, label: string): Promise<void> {
  const covered = () => uncoveredConversations(changes, receiver.receipts.slice(firstReceipt)).length === 0;
  if (!(await receiver.waitUntil(covered, settings.drainSeconds * 1000))) {
    log(`${label} some conversations had no webhook after their last change within ${settings.drainSeconds} s`);
  }
  await delay(GRACE_MS);
}

interface ProcessMeters {
  stop: () => { rss: RssSummary[]; cpu: CpuUse };
}

/** RSS and CPU of Finch's processes (and the database's CPU) while the load runs. */
function meterProcesses(pids: number[], databasePid: number | undefined): ProcessMeters {
  const samplers = pids.map((pid) => new RssSampler(pid));
  const cpu = new CpuMeter(pids, databasePid);
  return { stop: () => ({ rss: samplers.map((sampler) => sampler.stop()), cpu: cpu.stop() }) };
}

/**
 * What a change costs: Finch's processes and its database server, in CPU-ms per change sent.
 * SQLite runs inside the server; a PostgreSQL server not on this machine is not counted (its CPU
 * column shows –).
 */
function cpuMsPerChange(cpu: CpuUse, changesPerSecond: number): number | undefined {
  if (cpu.processes.some((cores) => cores === undefined) || changesPerSecond <= 0) return undefined;
  const cores = sum(cpu.processes as number[]) + (cpu.database ?? 0);
  return (cores / changesPerSecond) * 1000;
}

function statusCounts(answers: readonly Answer[]): { statuses: Record<string, number>; firstProblem: string | undefined } {
  const statuses: Record<string, number> = {};
  let firstProblem: string | undefined;
  for (const answer of answers) {
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    if (answer.problem !== undefined) firstProblem ??= `${answer.status}: ${answer.problem}`;
  }
  return { statuses, firstProblem };
}

// --- output --------------------------------------------------------------------------------------------

function report(runs: Run[], settings: Settings): void {
  const failed = (statuses: Record<string, number>) =>
    Object.entries(statuses).reduce((total, [status, count]) => total + (Number(status) >= 200 && Number(status) < 300 ? 0 : count), 0);
  const ok = (statuses: Record<string, number>) =>
    Object.entries(statuses)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');

  printTable(
    `Agent change → webhook: private notes open-loop at ${settings.ratePerSecond}/s for ${settings.durationSeconds} s ` +
      `(after ${settings.warmupSeconds} s warmup), each to another of ${fmt.int(settings.conversations)} conversations; ms`,
    ['setup', 'sent', 'sent/s', 'answers', 'send→hook p50', 'p90', 'p99', 'max', '201→hook p50', 'p90', 'p99', 'max', 'request p50', 'p99'],
    runs.map(({ setup, steady: s }) => [
      setup,
      fmt.int(s.sent),
      fmt.ms(s.sentPerSecond, 1),
      ok(s.statuses),
      fmt.ms(s.sendToWebhook.p50Ms, 1),
      fmt.ms(s.sendToWebhook.p90Ms, 1),
      fmt.ms(s.sendToWebhook.p99Ms, 1),
      fmt.ms(s.sendToWebhook.maxMs, 1),
      fmt.ms(s.answerToWebhook.p50Ms, 1),
      fmt.ms(s.answerToWebhook.p90Ms, 1),
      fmt.ms(s.answerToWebhook.p99Ms, 1),
      fmt.ms(s.answerToWebhook.maxMs, 1),
      fmt.ms(s.request.p50Ms, 1),
      fmt.ms(s.request.p99Ms, 1),
    ]),
  );

  printTable(
    'Steady run, deliveries (warmup included): every change should have exactly one webhook, and nothing should be coalesced or lost',
    ['setup', 'timed', 'no webhook', 'repeats', 'unexplained', 'outbox events', 'coalesced', 'lost', 'failed attempts'],
    runs.map(({ setup, steady: s }) => [
      setup,
      fmt.int(s.sendToWebhook.count),
      fmt.int(s.withoutWebhook),
      fmt.int(s.repeats),
      fmt.int(s.unexplained),
      fmt.int(s.outbox.events),
      fmt.int(s.outbox.coalesced),
      fmt.int(s.outbox.lostConversations.length),
      fmt.int(sum(Object.values(s.outbox.failedAttempts))),
    ]),
  );

  printTable(
    'Steady run, resources (measured part): CPU in cores busy ("others": work unrelated to the run), ' +
      'CPU-ms per change (server + workers + database, over the changes sent), RSS max',
    [
      'setup',
      'send lag p99 ms',
      'bench loop p99 ms',
      'CPU server',
      'CPU workers',
      'CPU database',
      'CPU-ms per change',
      'CPU bench',
      'CPU others',
      'others before',
      'RSS server MB',
      'RSS workers MB',
    ],
    runs.map(({ setup, steady: s }) => [
      setup,
      fmt.ms(s.sendLag.p99Ms, 1),
      fmt.ms(s.benchLoop.p99Ms, 1),
      fmt.ms(s.cpu.processes[0], 2),
      s.cpu.processes
        .slice(1)
        .map((cores) => fmt.ms(cores, 2))
        .join(' / '),
      fmt.ms(s.cpu.database, 2),
      fmt.ms(cpuMsPerChange(s.cpu, s.sentPerSecond), 2),
      fmt.ms(s.cpu.self, 2),
      fmt.ms(s.cpu.others, 2),
      fmt.ms(s.busyBefore, 2),
      fmt.mb(s.serverRss.max),
      s.workerRss.map((rss) => fmt.mb(rss.max)).join(' / '),
    ]),
  );

  printTable(
    `Bursty run: ${settings.burstConversations} conversations × ${settings.burstChanges} changes (note, title, tags, attributes in turn), ` +
      'each sent when the previous was answered, all conversations at once',
    ['setup', 'changes', 'failed', 'changes/s', 'webhooks', 'saved', 'Finch coalesced', 'uncovered', 'lost', 'repeats', 'drain ms'],
    runs.map(({ setup, burst: b }) => [
      setup,
      fmt.int(b.changes),
      fmt.int(failed(b.statuses)),
      fmt.int(b.changesPerSecond),
      fmt.int(b.webhooks),
      `${fmt.int(b.saved)} (${fmt.int((100 * b.saved) / b.changes)} %)`,
      fmt.int(b.outbox.coalesced),
      fmt.int(b.uncovered),
      fmt.int(b.outbox.lostConversations.length),
      fmt.int(b.webhooks - b.distinctEvents),
      fmt.int(b.drainMs),
    ]),
  );

  for (const warning of warnings(runs)) process.stdout.write(`\nWARNING: ${warning}`);
  const file = writeResults('webhook-latency', { environment: environment(), settings, runs });
  process.stdout.write(`\n\nResults written to ${file}\n`);
}

/** What makes a run not measure what it should, or shows Finch misbehaving. */
function warnings(runs: Run[]): string[] {
  const found: string[] = [];
  for (const { setup, steady, burst, exited, malformed } of runs) {
    if (exited.length > 0) found.push(`${setup}: ${exited.join(', ')} exited during the run`);
    if (malformed.length > 0) found.push(`${setup}: webhooks without a conversation_id or an event id, e.g. ${malformed[0]}`);
    for (const [name, result] of [
      ['steady', steady],
      ['bursty', burst],
    ] as const) {
      if (result.firstProblem) found.push(`${setup} ${name}: failed requests, the first: ${result.firstProblem}`);
      const { outbox } = result;
      if (outbox.lostConversations.length > 0)
        found.push(
          `${setup} ${name}: ${outbox.lostConversations.length} conversations' last change never reached the receiver (e.g. ${outbox.lostConversations[0]})`,
        );
      if (outbox.deliveredNotReceived > 0) found.push(`${setup} ${name}: ${outbox.deliveredNotReceived} events marked delivered were never received`);
      const unsettled = Object.entries(outbox.eventsByStatus).filter(([status]) => status !== 'delivered');
      if (unsettled.length > 0)
        found.push(`${setup} ${name}: events not delivered at the end: ${unsettled.map(([status, count]) => `${count} ${status}`).join(', ')}`);
      if (Object.keys(outbox.failedAttempts).length > 0) found.push(`${setup} ${name}: failed delivery attempts: ${JSON.stringify(outbox.failedAttempts)}`);
    }
    const made = steady.sendToWebhook.count + steady.withoutWebhook;
    if (steady.outbox.changesRecorded < made)
      found.push(`${setup} steady: ${made} changes answered 2xx but the outbox accounts for ${steady.outbox.changesRecorded}`);
    if (steady.withoutWebhook > 0)
      found.push(`${setup} steady: ${steady.withoutWebhook} changes had no webhook of their own (coalesced: ${steady.outbox.coalesced})`);
    if (steady.repeats + burst.webhooks - burst.distinctEvents > 0) found.push(`${setup}: the same event was delivered more than once`);
    if (burst.outbox.changesRecorded !== burst.changes)
      found.push(`${setup} bursty: ${burst.changes} changes answered 2xx but the outbox accounts for ${burst.outbox.changesRecorded}`);
    if ((steady.busyBefore ?? 0) > BUSY_MACHINE || (steady.cpu.others ?? 0) > BUSY_MACHINE) {
      found.push(
        `${setup}: the machine was busy with other work (${fmt.ms(steady.busyBefore, 2)} cores before the steady run, ` +
          `${fmt.ms(steady.cpu.others, 2)} during it): its figures are skewed`,
      );
    }
    if (steady.benchLoop.p99Ms > 20)
      found.push(`${setup}: the bench's own event loop lagged (p99 ${fmt.ms(steady.benchLoop.p99Ms, 1)} ms): webhook times may be late`);
  }
  return found;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
