/**
 * Threads of any length: what opening a conversation of 10,000 messages costs in the inbox, now
 * that the agent API answers with its newest page (issue 14, item 4: ≤ 50 ms server time and
 * ≤ 100 kB). Generates conversations of --messages messages each, starts Finch on them, and times:
 *
 *   - the inbox opening one (GET /api/v1/conversations/{id}, newest 50) and at the largest page
 *     (?limit=200);
 *   - paging back through a whole thread (GET …/messages?before=), checking that the pages hold
 *     every message exactly once, in order;
 *   - Fin's get_messages without after_id, which the contract does not page: the whole thread.
 *
 * Times are from sending the request to the last byte, one request at a time over a kept-alive
 * loopback connection, so they hold the server's time and little else. See bench/README.md.
 *
 *   node --import tsx bench/long-thread.ts [--db sqlite|postgres|both] [--messages 10000]
 *        [--conversations 10] [--requests 200] [--fin-requests 20]
 *   env: DATABASE_URL (a PostgreSQL server to create throwaway databases on; default: start one)
 */
import { parseArgs } from 'node:util';
import { generate } from './generate.js';
import { runBench, type Cleanup } from './lib/cleanup.js';
import { datasetIds, type DatasetShape } from './lib/dataset.js';
import { createAdminToken, ensureBuilt, fetchToken, finchEnv, startFinch, type FinchTarget } from './lib/finch-process.js';
import { TimedHttpClient } from './lib/http-timer.js';
import { environment, parseDbChoice, wholeNumber, type DbKind } from './lib/options.js';
import { writeResults } from './lib/paths.js';
import { acquirePostgres, type PostgresHost } from './lib/postgres.js';
import { RssSampler, type RssSummary } from './lib/rss.js';
import { summarizeLatencies, type LatencySummary } from './lib/stats.js';
import { fmt, printTable } from './lib/table.js';

interface Settings {
  databases: DbKind[];
  messages: number;
  conversations: number;
  requests: number;
  finRequests: number;
}

/** One kind of read, timed. */
interface Measured {
  read: string;
  latency: LatencySummary;
  /** Bytes of one answer's body (the largest seen). */
  bytes: number;
}

interface Run {
  db: DbKind;
  reads: Measured[];
  /** Pages read to walk one whole thread back, and whether they held every message once, in order. */
  walk: { pages: number; messages: number; inOrder: boolean };
  serverRss: RssSummary;
}

function readSettings(): Settings {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      messages: { type: 'string' },
      conversations: { type: 'string' },
      requests: { type: 'string' },
      'fin-requests': { type: 'string' },
    },
    strict: true,
  });
  return {
    databases: parseDbChoice(values.db, 'both'),
    messages: wholeNumber('--messages', values.messages, 10_000),
    conversations: wholeNumber('--conversations', values.conversations, 10),
    requests: wholeNumber('--requests', values.requests, 200),
    finRequests: wholeNumber('--fin-requests', values['fin-requests'], 20),
  };
}

await runBench(async (cleanup) => {
  const settings = readSettings();
  ensureBuilt();
  const postgres = settings.databases.includes('postgres') ? await acquirePostgres(cleanup) : undefined;
  const runs: Run[] = [];
  for (const db of settings.databases) runs.push(await measure(db, settings, postgres, cleanup));
  report(runs, settings);
});

async function measure(db: DbKind, settings: Settings, postgres: PostgresHost | undefined, cleanup: Cleanup): Promise<Run> {
  const { dir, remove } = cleanup.tempDir(`finch-long-thread-${db}-`);
  const database = db === 'postgres' ? await postgres!.newDatabase('finch_long_thread') : undefined;
  const target: FinchTarget = { dataDir: dir, databaseUrl: database?.url };
  try {
    const generated = await generate({
      conversations: settings.conversations,
      messagesPerConversation: settings.messages,
      ...target,
      batchConversations: 1,
      log: (line) => log(`[${db}] ${line.trim()}`),
    });
    const agentToken = await createAdminToken(finchEnv(target));
    const finch = await startFinch(target);
    const stopFinch = cleanup.add('stop Finch', finch.stop);
    const agentApi = new TimedHttpClient(finch.baseUrl, { authorization: `Bearer ${agentToken}`, accept: 'application/json' }, 1);
    const finApi = new TimedHttpClient(finch.baseUrl, { authorization: `Bearer ${await fetchToken(finch)}`, accept: 'application/json' }, 1);
    const rss = new RssSampler(finch.pid);
    try {
      const ids = datasetIds(generated.shape);
      const conversation = (n: number) => ids.conversation(n % settings.conversations);
      log(`[${db}] timing…`);
      const reads = [
        await time(agentApi, 'inbox opens it (newest 50)', settings.requests, (n) => `/api/v1/conversations/${conversation(n)}`),
        await time(agentApi, 'inbox opens it (limit=200)', settings.requests, (n) => `/api/v1/conversations/${conversation(n)}?limit=200`),
      ];
      const walk = await walkBack(agentApi, generated.shape, reads);
      reads.push(await time(finApi, 'Fin get_messages, whole thread', settings.finRequests, (n) => `/api/fin/messages?conversation_id=${conversation(n)}`));
      return { db, reads, walk, serverRss: rss.stop() };
    } finally {
      rss.stop();
      agentApi.close();
      finApi.close();
      await stopFinch();
    }
  } finally {
    await database?.drop();
    await remove();
  }
}

/** `count` requests after a tenth as many to warm up, one at a time. */
async function time(client: TimedHttpClient, read: string, count: number, pathOf: (n: number) => string): Promise<Measured> {
  const warmup = Math.max(1, Math.round(count / 10));
  const latencies: number[] = [];
  let bytes = 0;
  for (let n = 0; n < warmup + count; n++) {
    const response = await client.get(pathOf(n));
    if (response.status !== 200) throw new Error(`${read}: ${pathOf(n)} answered ${response.status}: ${response.body.toString().slice(0, 300)}`);
    if (n >= warmup) latencies.push(response.ms);
    bytes = Math.max(bytes, response.body.length);
  }
  return { read, latency: summarizeLatencies(latencies), bytes };
}

/**
 * Walks conversation 0 back from its newest page to its first message, timing each page, and
 * checks the pages hold exactly the generated messages, in order.
 */
async function walkBack(client: TimedHttpClient, shape: DatasetShape, reads: Measured[]): Promise<Run['walk']> {
  const ids = datasetIds(shape);
  const base = `/api/v1/conversations/${ids.conversation(0)}`;
  const latencies: number[] = [];
  let bytes = 0;
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const response = await client.get(cursor === null ? base : `${base}/messages?before=${encodeURIComponent(cursor)}`);
    if (response.status !== 200) throw new Error(`paging back: ${response.status}: ${response.body.toString().slice(0, 300)}`);
    const page = JSON.parse(response.body.toString()) as { messages: { id: string }[]; messages_cursor: string | null };
    // The first read is the conversation itself, timed above.
    if (cursor !== null) {
      latencies.push(response.ms);
      bytes = Math.max(bytes, response.body.length);
    }
    seen.unshift(...page.messages.map((message) => message.id));
    cursor = page.messages_cursor;
    pages++;
  } while (cursor !== null);
  reads.push({ read: 'paging back (…/messages?before=, 50)', latency: summarizeLatencies(latencies), bytes });
  const expected = Array.from({ length: shape.messagesPerConversation }, (_, j) => ids.message(0, j));
  return { pages, messages: seen.length, inOrder: seen.length === expected.length && seen.every((id, j) => id === expected[j]) };
}

function report(runs: Run[], settings: Settings): void {
  printTable(
    `Opening a conversation of ${fmt.int(settings.messages)} messages: ${fmt.int(settings.requests)} requests each ` +
      `(Fin: ${fmt.int(settings.finRequests)}), one at a time, over ${settings.conversations} such conversations`,
    ['db', 'read', 'p50 ms', 'p90 ms', 'p99 ms', 'answer kB'],
    runs.flatMap((run) =>
      run.reads.map((measured) => [
        run.db,
        measured.read,
        fmt.ms(measured.latency.p50Ms),
        fmt.ms(measured.latency.p90Ms),
        fmt.ms(measured.latency.p99Ms),
        (measured.bytes / 1000).toFixed(1),
      ]),
    ),
  );
  for (const run of runs) {
    process.stdout.write(
      `\n${run.db}: paging back read ${fmt.int(run.walk.messages)} messages in ${run.walk.pages} pages, ` +
        `${run.walk.inOrder ? 'each once, in order' : 'NOT each once in order'}; server RSS max ${fmt.mb(run.serverRss.max)} MB\n`,
    );
  }
  const file = writeResults('long-thread', { environment: environment(), settings, runs });
  process.stdout.write(`\nResults written to ${file}\n`);
  if (runs.some((run) => !run.walk.inOrder)) process.exitCode = 1;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
