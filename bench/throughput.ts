/**
 * Throughput of the two reads Fin makes on every synchronization, get_conversation and
 * get_messages (a conversation of 20 messages), under autocannon on loopback, for Finch on SQLite
 * and on PostgreSQL, each figure also as a ratio to a bare node:http server that sends the same
 * bytes from memory. See bench/README.md.
 *
 *   node --import tsx bench/throughput.ts [--db sqlite|postgres|both] [--operation get_conversation|get_messages] [--floor]
 *   env: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 2), BENCH_CONNECTIONS (default 50),
 *        DATABASE_URL (a PostgreSQL server to create throwaway databases on; default: start one)
 */
import { parseArgs } from 'node:util';
import { FinClient } from '../src/client/fin-client.js';
import { captureResponse, startBaseline, type CapturedResponse } from './lib/baseline.js';
import { runBench, type Cleanup } from './lib/cleanup.js';
import { ensureBuilt, fetchToken, startFinch } from './lib/finch-process.js';
import { findPostmaster } from './lib/cpu.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { environment, parseDbChoice, wholeNumber, type DbKind } from './lib/options.js';
import { writeResults } from './lib/paths.js';
import { acquirePostgres, type PostgresHost } from './lib/postgres.js';
import { seedConversation } from './lib/seed-api.js';
import { fmt, printTable } from './lib/table.js';

const MESSAGES = 20;

interface Settings {
  databases: DbKind[];
  /** The operations measured: both unless --operation names one (to profile one at a time). */
  endpoints: Endpoint[];
  /** --floor: also a bare Fastify application sending the same bytes (what the framework alone costs). */
  floor: boolean;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
}

interface Endpoint {
  operation: 'get_conversation' | 'get_messages';
  path: (conversationId: string) => string;
}

const ENDPOINTS: Endpoint[] = [
  { operation: 'get_conversation', path: (id) => `/api/fin/conversation?conversation_id=${encodeURIComponent(id)}` },
  { operation: 'get_messages', path: (id) => `/api/fin/messages?conversation_id=${encodeURIComponent(id)}` },
];

type Target = `finch-${DbKind}` | 'baseline' | 'fastify-floor';

interface Measurement {
  target: Target;
  operation: Endpoint['operation'];
  responseBytes: number;
  load: LoadResult;
}

function readSettings(): Settings {
  const { values } = parseArgs({
    options: { db: { type: 'string' }, operation: { type: 'string' }, floor: { type: 'boolean', default: false } },
    strict: true,
  });
  const endpoints = ENDPOINTS.filter((endpoint) => values.operation === undefined || endpoint.operation === values.operation);
  if (endpoints.length === 0) throw new Error(`--operation: expected ${ENDPOINTS.map((endpoint) => endpoint.operation).join(' or ')}, got ${values.operation}`);
  return {
    databases: parseDbChoice(values.db, 'both'),
    endpoints,
    floor: values.floor,
    durationSeconds: wholeNumber('BENCH_DURATION', process.env.BENCH_DURATION, 10),
    warmupSeconds: wholeNumber('BENCH_WARMUP', process.env.BENCH_WARMUP, 2, 0),
    connections: wholeNumber('BENCH_CONNECTIONS', process.env.BENCH_CONNECTIONS, 50),
  };
}

await runBench(async (cleanup) => {
  const settings = readSettings();
  ensureBuilt();
  const postgres = settings.databases.includes('postgres') ? await acquirePostgres(cleanup) : undefined;
  log(
    `${settings.connections} connections, ${settings.warmupSeconds} s warmup + ${settings.durationSeconds} s per run; ` +
      `databases: ${settings.databases.join(', ')}`,
  );

  const measurements: Measurement[] = [];
  // The baseline replays the first database's answers: the same bytes Fin would receive.
  let replay: CapturedResponse[] | undefined;
  for (const db of settings.databases) {
    const { captured, results } = await measureFinch(db, settings, postgres, cleanup);
    replay ??= captured;
    measurements.push(...results);
  }
  measurements.push(...(await measureBaseline(replay!, settings, cleanup, 'baseline')));
  if (settings.floor) measurements.push(...(await measureBaseline(replay!, settings, cleanup, 'fastify-floor')));

  report(measurements, settings);
});

async function measureFinch(
  db: DbKind,
  settings: Settings,
  postgres: PostgresHost | undefined,
  cleanup: Cleanup,
): Promise<{ captured: CapturedResponse[]; results: Measurement[] }> {
  const { dir, remove } = cleanup.tempDir(`finch-bench-${db}-`);
  const database = db === 'postgres' ? await postgres!.newDatabase('finch_bench') : undefined;
  log(`[finch-${db}] starting Finch…`);
  const finch = await startFinch({ dataDir: dir, databaseUrl: database?.url });
  const stopFinch = cleanup.add(`stop Finch (${db})`, finch.stop);
  try {
    const token = await fetchToken(finch);
    const client = new FinClient({ baseUrl: `${finch.baseUrl}/api/fin`, variant: 'rest', token });
    const seeded = await seedConversation(client, MESSAGES);
    log(`[finch-${db}] seeded ${seeded.conversationId} with ${seeded.messages} messages through the API`);

    const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
    // PostgreSQL's CPU (its backends') counts toward what a request costs, when it runs here.
    const databasePid = database ? findPostmaster(Number(new URL(database.url).port || 5432)) : undefined;
    const captured: CapturedResponse[] = [];
    const results: Measurement[] = [];
    for (const endpoint of settings.endpoints) {
      const requestPath = endpoint.path(seeded.conversationId);
      const response = await captureResponse(finch.baseUrl, requestPath, headers);
      captured.push(response);
      log(`[finch-${db}] ${endpoint.operation}…`);
      const load = await runLoad({ url: finch.baseUrl + requestPath, headers, ...loadSettings(settings), serverPid: finch.pid, databasePid });
      results.push({ target: `finch-${db}`, operation: endpoint.operation, responseBytes: bodyBytes(response), load });
    }
    return { captured, results };
  } finally {
    await stopFinch();
    await database?.drop();
    await remove();
  }
}

async function measureBaseline(
  responses: CapturedResponse[],
  settings: Settings,
  cleanup: Cleanup,
  target: 'baseline' | 'fastify-floor',
): Promise<Measurement[]> {
  log(`[${target}] starting the ${target === 'baseline' ? 'node:http baseline' : 'bare Fastify floor'}…`);
  const baseline = await startBaseline(responses, cleanup, target === 'fastify-floor');
  const stopBaseline = cleanup.add(`stop the ${target}`, baseline.stop);
  try {
    const results: Measurement[] = [];
    for (const [index, endpoint] of settings.endpoints.entries()) {
      const response = responses[index]!;
      log(`[${target}] ${endpoint.operation}…`);
      // The same request as sent to Finch, authorization header included (the baseline ignores it).
      const headers = { authorization: 'Bearer unused-by-the-baseline', accept: 'application/json' };
      const load = await runLoad({ url: baseline.baseUrl + response.path, headers, ...loadSettings(settings), serverPid: baseline.pid });
      results.push({ target, operation: endpoint.operation, responseBytes: bodyBytes(response), load });
    }
    return results;
  } finally {
    await stopBaseline();
  }
}

function loadSettings(settings: Settings) {
  return { connections: settings.connections, durationSeconds: settings.durationSeconds, warmupSeconds: settings.warmupSeconds };
}

function bodyBytes(response: CapturedResponse): number {
  return Buffer.byteLength(response.bodyBase64, 'base64');
}

/** Throughput as a multiple of the baseline's (below 1: slower); latencies as multiples too (above 1: slower). */
function ratios(measurement: Measurement, baseline: Measurement | undefined) {
  if (!baseline || measurement === baseline) return undefined;
  return {
    requestsPerSecond: measurement.load.requestsPerSecond / baseline.load.requestsPerSecond,
    latencyP50: measurement.load.latencyP50Ms / baseline.load.latencyP50Ms,
    latencyP99: measurement.load.latencyP99Ms / baseline.load.latencyP99Ms,
  };
}

function report(measurements: Measurement[], settings: Settings): void {
  const baselineOf = (operation: string) => measurements.find((m) => m.target === 'baseline' && m.operation === operation);
  const rows = measurements.map((m) => {
    const ratio = ratios(m, baselineOf(m.operation));
    const failures = m.load.non2xx + m.load.errors + m.load.timeouts;
    return [
      m.target,
      m.operation,
      fmt.int(m.responseBytes),
      fmt.int(m.load.requestsPerSecond),
      ratio ? fmt.ratio(ratio.requestsPerSecond) : '',
      fmt.ms(m.load.latencyP50Ms, 0),
      ratio ? fmt.ratio(ratio.latencyP50) : '',
      fmt.ms(m.load.latencyP99Ms, 0),
      ratio ? fmt.ratio(ratio.latencyP99) : '',
      fmt.int(failures),
      m.load.serverCpuUsPerRequest === undefined ? '' : fmt.int(m.load.serverCpuUsPerRequest),
      m.load.databaseCpuUsPerRequest === undefined ? '' : fmt.int(m.load.databaseCpuUsPerRequest),
      m.load.cpu.others === undefined ? '' : m.load.cpu.others.toFixed(2),
      fmt.mb(m.load.serverRss.max),
      fmt.mb(m.load.serverRss.final),
    ];
  });
  printTable(
    `Throughput: ${settings.connections} connections, ${settings.durationSeconds} s per run after ${settings.warmupSeconds} s warmup ` +
      `(×base: Finch figure / baseline figure)`,
    [
      'target',
      'operation',
      'body B',
      'req/s',
      '×base',
      'p50 ms',
      '×base',
      'p99 ms',
      '×base',
      'failed',
      'CPU µs/req',
      'DB µs/req',
      'other cores',
      'RSS max MB',
      'RSS end MB',
    ],
    rows,
  );
  if (measurements.some((m) => (m.load.cpu.others ?? 0) > 0.2)) {
    process.stdout.write('\nWARNING: other work on this machine used over 0.2 cores during a run (`other cores`): its figures are not comparable.\n');
  }
  if (measurements.some((m) => m.load.non2xx + m.load.errors + m.load.timeouts > 0)) {
    process.stdout.write('\nWARNING: some requests failed (non-2xx, errors or timeouts): those runs do not measure what they should.\n');
  }
  const file = writeResults('throughput', {
    environment: environment(),
    settings: { ...settings, messagesInConversation: MESSAGES },
    measurements: measurements.map((m) => ({ ...m, ratioToBaseline: ratios(m, baselineOf(m.operation)) })),
  });
  process.stdout.write(`\nResults written to ${file}\n`);
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
