/**
 * Does get_messages with after_id stay as fast when the database grows? Fin calls it on every
 * synchronization with the last message it has, so its cost must depend on the conversation, not
 * on how many conversations there are. This generates databases of 10,000 and 1,000,000
 * conversations (10 messages each), starts Finch on each, and times requests for random
 * conversations from the whole range with a random message of each as after_id (on PostgreSQL
 * counting the pages they found in its shared buffers and those it had to read in); then prints
 * the plans of the queries behind them. See bench/README.md.
 *
 *   node --import tsx bench/after-id.ts [--db sqlite|postgres|both] [--sizes 10000,1000000]
 *        [--messages-per 10] [--requests 5000] [--warmup 500] [--concurrency 1] [--seed 1]
 *   env: DATABASE_URL (a PostgreSQL server to create throwaway databases on; default: start one)
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generate, type GenerateResult } from './generate.js';
import { runBench, type Cleanup } from './lib/cleanup.js';
import { datasetIds, type DatasetShape } from './lib/dataset.js';
import { explainGetMessages, type QueryPlan } from './lib/explain.js';
import { ensureBuilt, fetchToken, startFinch, type FinchTarget } from './lib/finch-process.js';
import { TimedHttpClient } from './lib/http-timer.js';
import { environment, parseDbChoice, wholeNumber, type DbKind } from './lib/options.js';
import { writeResults } from './lib/paths.js';
import { acquirePostgres, type PostgresHost } from './lib/postgres.js';
import { randomIndex, seededRandom } from './lib/random.js';
import { RssSampler, type RssSummary } from './lib/rss.js';
import { summarizeLatencies, type LatencySummary } from './lib/stats.js';
import { fmt, printTable } from './lib/table.js';

interface Settings {
  databases: DbKind[];
  sizes: number[];
  messagesPerConversation: number;
  requests: number;
  warmupRequests: number;
  concurrency: number;
  seed: number;
}

interface Run {
  db: DbKind;
  conversations: number;
  generated: GenerateResult;
  latency: LatencySummary;
  /** Answers that were not 200 with exactly the messages after after_id. */
  wrongAnswers: number;
  firstWrongAnswer: string | undefined;
  serverRss: RssSummary;
  /** PostgreSQL only: the database's pages read during the timed requests, per request. */
  buffers: BufferUse | undefined;
  plans: QueryPlan[];
}

/**
 * Pages per request: `hit` found in PostgreSQL's shared buffers, `read` copied in from outside
 * them (the OS page cache or the disk), from `pg_stat_database`.
 */
interface BufferUse {
  hitPerRequest: number;
  readPerRequest: number;
}

/**
 * A backend reports its counters when it goes idle, at most once a second, else within its idle
 * interval (10 s in PostgreSQL 15): waiting this long after the requests counts all of theirs.
 */
const STATS_FLUSH_MS = 11_000;

function readSettings(): Settings {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      sizes: { type: 'string' },
      'messages-per': { type: 'string' },
      requests: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      seed: { type: 'string' },
    },
    strict: true,
  });
  const sizes = (values.sizes ?? '10000,1000000').split(',').map((size) => wholeNumber('--sizes', size.trim(), 0));
  return {
    databases: parseDbChoice(values.db, 'sqlite'),
    sizes: [...sizes].sort((a, b) => a - b),
    messagesPerConversation: wholeNumber('--messages-per', values['messages-per'], 10),
    requests: wholeNumber('--requests', values.requests, 5000),
    warmupRequests: wholeNumber('--warmup', values.warmup, 500, 0),
    concurrency: wholeNumber('--concurrency', values.concurrency, 1),
    seed: wholeNumber('--seed', values.seed, 1, 0),
  };
}

await runBench(async (cleanup) => {
  const settings = readSettings();
  ensureBuilt();
  const postgres = settings.databases.includes('postgres') ? await acquirePostgres(cleanup) : undefined;
  const runs: Run[] = [];
  for (const db of settings.databases) {
    for (const conversations of settings.sizes) runs.push(await measure(db, conversations, settings, postgres, cleanup));
  }
  report(runs, settings);
});

async function measure(db: DbKind, conversations: number, settings: Settings, postgres: PostgresHost | undefined, cleanup: Cleanup): Promise<Run> {
  const label = `[${db} ${fmt.int(conversations)}]`;
  const { dir, remove } = cleanup.tempDir(`finch-after-id-${db}-`);
  const database = db === 'postgres' ? await postgres!.newDatabase('finch_after_id') : undefined;
  const target: FinchTarget = { dataDir: dir, databaseUrl: database?.url };
  try {
    const generated = await generate({
      conversations,
      messagesPerConversation: settings.messagesPerConversation,
      ...target,
      log: (line) => log(`${label} ${line.trim()}`),
    });
    const requests = sampleRequests(generated.shape, settings);

    const { timed, serverRss, buffers } = await timeWithFinch(target, requests, settings, label, cleanup);

    // With Finch stopped, so that nothing else holds the SQLite file.
    const first = requests[0]!;
    const plans = await explainGetMessages(target, first.conversationId, first.afterId);
    return { db, conversations, generated, latency: summarizeLatencies(timed.latenciesMs), ...timed.check, serverRss, buffers, plans };
  } finally {
    // Several GB at the larger size: gone before the next data set is made.
    await database?.drop();
    await remove();
  }
}

/** Starts Finch on the data set, warms it up, then times the requests while sampling its RSS. */
async function timeWithFinch(target: FinchTarget, requests: Sampled[], settings: Settings, label: string, cleanup: Cleanup) {
  log(`${label} starting Finch…`);
  const finch = await startFinch(target);
  const stopFinch = cleanup.add('stop Finch', finch.stop);
  const headers = { authorization: `Bearer ${await fetchToken(finch)}`, accept: 'application/json' };
  const client = new TimedHttpClient(finch.baseUrl, headers, settings.concurrency);
  try {
    log(`${label} ${fmt.int(settings.warmupRequests)} warmup + ${fmt.int(settings.requests)} timed requests, concurrency ${settings.concurrency}…`);
    await timeRequests(client, requests.slice(0, settings.warmupRequests), settings.concurrency);
    const before = target.databaseUrl === undefined ? undefined : await countBuffers(target.databaseUrl);
    const rss = new RssSampler(finch.pid);
    try {
      const timed = await timeRequests(client, requests.slice(settings.warmupRequests), settings.concurrency);
      const serverRss = rss.stop();
      const after = target.databaseUrl === undefined ? undefined : await countBuffers(target.databaseUrl);
      const timedCount = timed.latenciesMs.length;
      const buffers =
        before && after ? { hitPerRequest: (after.hit - before.hit) / timedCount, readPerRequest: (after.read - before.read) / timedCount } : undefined;
      return { timed, serverRss, buffers };
    } finally {
      rss.stop();
    }
  } finally {
    client.close();
    await stopFinch();
  }
}

/** The database's page counters once every backend has reported what it did so far. */
async function countBuffers(databaseUrl: string): Promise<{ hit: number; read: number }> {
  await new Promise((resolve) => setTimeout(resolve, STATS_FLUSH_MS));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ hit: string; read: string }>(
      'SELECT blks_hit AS hit, blks_read AS read FROM pg_stat_database WHERE datname = current_database()',
    );
    return { hit: Number(rows[0]!.hit), read: Number(rows[0]!.read) };
  } finally {
    await client.end();
  }
}

interface Sampled {
  path: string;
  conversationId: string;
  afterId: string;
  /** How many messages the answer must hold: those after after_id. */
  expected: number;
  /** The first of them, if any. */
  expectedFirstId: string | undefined;
}

/**
 * Warmup and timed requests, for conversations drawn uniformly from the whole data set (so that
 * the larger one is not read only where it is cached) and a random message of each as after_id.
 */
function sampleRequests(shape: DatasetShape, settings: Settings): Sampled[] {
  const ids = datasetIds(shape);
  const random = seededRandom(settings.seed);
  const m = shape.messagesPerConversation;
  return Array.from({ length: settings.warmupRequests + settings.requests }, () => {
    const i = randomIndex(random, shape.conversations);
    const j = randomIndex(random, m);
    const conversationId = ids.conversation(i);
    const afterId = ids.message(i, j);
    return {
      path: `/api/fin/messages?conversation_id=${encodeURIComponent(conversationId)}&after_id=${encodeURIComponent(afterId)}`,
      conversationId,
      afterId,
      expected: m - 1 - j,
      expectedFirstId: j + 1 < m ? ids.message(i, j + 1) : undefined,
    };
  });
}

/** Sends the requests from `concurrency` loops, each waiting for its answer before the next. */
async function timeRequests(client: TimedHttpClient, requests: Sampled[], concurrency: number) {
  const latenciesMs: number[] = [];
  const check = { wrongAnswers: 0, firstWrongAnswer: undefined as string | undefined };
  let next = 0;
  const loop = async () => {
    while (next < requests.length) {
      const request = requests[next++]!;
      const response = await client.get(request.path);
      latenciesMs.push(response.ms);
      // Checked after the clock stopped: parsing is the client's work, not the server's.
      const problem = wrongAnswer(request, response.status, response.body);
      if (problem) {
        check.wrongAnswers++;
        check.firstWrongAnswer ??= `${request.path}: ${problem}`;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { latenciesMs, check };
}

function wrongAnswer(request: Sampled, status: number, body: Buffer): string | undefined {
  if (status !== 200) return `status ${status}: ${body.toString().slice(0, 300)}`;
  const messages = JSON.parse(body.toString()) as { id: string }[];
  if (messages.length !== request.expected) return `${messages.length} messages, expected ${request.expected}`;
  if (request.expectedFirstId !== undefined && messages[0]?.id !== request.expectedFirstId) {
    return `first message ${messages[0]?.id}, expected ${request.expectedFirstId}`;
  }
  return undefined;
}

function report(runs: Run[], settings: Settings): void {
  const smallest = (db: DbKind) => runs.find((run) => run.db === db)!;
  const ratio = (run: Run, pick: (latency: LatencySummary) => number) => pick(run.latency) / pick(smallest(run.db).latency);
  printTable(
    `get_messages with after_id: ${fmt.int(settings.requests)} requests after ${fmt.int(settings.warmupRequests)} warmup, ` +
      `concurrency ${settings.concurrency}, ${settings.messagesPerConversation} messages per conversation ` +
      `(×first: latency / latency at ${fmt.int(settings.sizes[0])} conversations)`,
    [
      'db',
      'conversations',
      'messages',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'mean ms',
      '×first p50',
      '×first p99',
      'wrong',
      'RSS max MB',
      'RSS end MB',
      'pages hit/read per request',
      'generated in',
    ],
    runs.map((run) => [
      run.db,
      fmt.int(run.conversations),
      fmt.int(run.generated.rows.messages),
      fmt.ms(run.latency.p50Ms, 3),
      fmt.ms(run.latency.p90Ms, 3),
      fmt.ms(run.latency.p99Ms, 3),
      fmt.ms(run.latency.meanMs, 3),
      fmt.ratio(ratio(run, (l) => l.p50Ms)),
      fmt.ratio(ratio(run, (l) => l.p99Ms)),
      fmt.int(run.wrongAnswers),
      fmt.mb(run.serverRss.max),
      fmt.mb(run.serverRss.final),
      run.buffers ? `${run.buffers.hitPerRequest.toFixed(1)} / ${run.buffers.readPerRequest.toFixed(2)}` : '–',
      fmt.seconds(run.generated.loadSeconds + run.generated.analyzeSeconds),
    ]),
  );
  for (const run of runs.filter((r) => r.wrongAnswers > 0)) {
    process.stdout.write(`\nWARNING: ${run.db} ${fmt.int(run.conversations)}: ${run.wrongAnswers} wrong answers, e.g. ${run.firstWrongAnswer}\n`);
  }
  for (const run of runs) printPlans(run);

  const file = writeResults('after-id', {
    environment: environment(),
    settings,
    runs: runs.map((run) => ({ ...run, ratioToFirst: { p50: ratio(run, (l) => l.p50Ms), p99: ratio(run, (l) => l.p99Ms) } })),
  });
  process.stdout.write(`\nResults written to ${file}\n`);
}

function printPlans(run: Run): void {
  const dialectExplain = run.db === 'postgres' ? 'EXPLAIN (ANALYZE, BUFFERS)' : 'EXPLAIN QUERY PLAN';
  process.stdout.write(
    `\nQuery plans, ${run.db}, ${fmt.int(run.conversations)} conversations: the queries of one get_messages with after_id (${dialectExplain})\n`,
  );
  run.plans.forEach((plan, index) => {
    // The select lists are long and say nothing about the plan.
    const sql = plan.sql.replace(/^select .*? from /s, 'select … from ');
    process.stdout.write(`\n  ${index + 1}. ${sql}\n     parameters: ${JSON.stringify(plan.parameters)}\n`);
    for (const line of plan.plan) process.stdout.write(`     ${line}\n`);
  });
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
