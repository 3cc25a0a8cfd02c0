/**
 * Fills a Finch database with N conversations of M messages each (default 1,000,000 × 10), fast,
 * for benchmarks at scale. Finch itself creates the schema and the Fin agent (by opening the
 * database as it does on start); the rows are then bulk-loaded with SQL that matches the schema of
 * src/store/sql/migrations. The data's shape is described in lib/dataset.ts. See bench/README.md.
 *
 *   node --import tsx bench/generate.ts --data-dir DIR [--conversations N] [--messages-per M]
 *   DATABASE_URL=postgres://… node --import tsx bench/generate.ts [--conversations N] [--messages-per M]
 *
 * Runs can be repeated on the same database: each adds its own rows, under ids of its own.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openFinch } from '../src/finch.js';
import { runBench } from './lib/cleanup.js';
import { newRunTag, type DatasetShape } from './lib/dataset.js';
import { analyzePostgres, loadPostgres } from './lib/generate-postgres.js';
import { analyzeSqlite, loadSqlite } from './lib/generate-sqlite.js';
import { isMain } from './lib/paths.js';
import { wholeNumber } from './lib/options.js';
import { fmt } from './lib/table.js';

export interface GenerateOptions {
  conversations: number;
  messagesPerConversation: number;
  /** Finch's data directory: where the SQLite file is (FINCH_DATA_DIR). */
  dataDir: string;
  /** A PostgreSQL database to fill instead (DATABASE_URL). */
  databaseUrl?: string | undefined;
  /** Conversations per transaction. */
  batchConversations?: number;
  /** Progress lines; default stderr. */
  log?: (line: string) => void;
}

export interface GenerateResult {
  dialect: 'sqlite' | 'postgres';
  shape: DatasetShape;
  finAgentId: string;
  rows: { endUsers: number; conversations: number; messages: number; total: number };
  loadSeconds: number;
  analyzeSeconds: number;
  /** All rows (end-users, conversations, messages) per second of loading, ANALYZE not included. */
  rowsPerSecond: number;
}

export const DEFAULT_BATCH_CONVERSATIONS = 20_000;

export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dialect = options.databaseUrl ? 'postgres' : 'sqlite';
  const shape: DatasetShape = { tag: newRunTag(), conversations: options.conversations, messagesPerConversation: options.messagesPerConversation };
  const total = shape.conversations * (2 + shape.messagesPerConversation);

  // Opening the database the way Finch does migrates it and creates the Fin agent.
  const finch = await openFinch({ databaseUrl: options.databaseUrl, dataDir: options.dataDir, dbPoolSize: 1 });
  let finAgentId: string;
  let location: string;
  try {
    finAgentId = (await finch.store.findFinAgent()).id;
    location = finch.database.location;
  } finally {
    await finch.close();
  }
  log(
    `Generating ${fmt.int(shape.conversations)} conversations × ${shape.messagesPerConversation} messages ` +
      `(${fmt.int(total)} rows with the end-users) into ${location}, run tag ${shape.tag}`,
  );

  const started = performance.now();
  let lastReport = 0;
  const onBatch = (done: number) => {
    const now = performance.now();
    // A line every few seconds is enough to see progress and speed.
    if (now - lastReport < 5000 && done < shape.conversations) return;
    lastReport = now;
    const rows = done * (2 + shape.messagesPerConversation);
    log(`  ${fmt.int(done)} / ${fmt.int(shape.conversations)} conversations, ${fmt.int(rows / ((now - started) / 1000))} rows/s`);
  };
  const load = { shape, finAgentId, batchConversations: options.batchConversations ?? DEFAULT_BATCH_CONVERSATIONS, onBatch, log };
  const file = path.join(options.dataDir, 'finch.db');
  if (options.databaseUrl) await loadPostgres(options.databaseUrl, load);
  else loadSqlite(file, load);
  const loadSeconds = (performance.now() - started) / 1000;

  log(dialect === 'postgres' ? '  VACUUM ANALYZE…' : '  ANALYZE…');
  const analyzeStarted = performance.now();
  if (options.databaseUrl) await analyzePostgres(options.databaseUrl);
  else analyzeSqlite(file);
  const analyzeSeconds = (performance.now() - analyzeStarted) / 1000;

  const result: GenerateResult = {
    dialect,
    shape,
    finAgentId,
    rows: { endUsers: shape.conversations, conversations: shape.conversations, messages: shape.conversations * shape.messagesPerConversation, total },
    loadSeconds,
    analyzeSeconds,
    rowsPerSecond: total / loadSeconds,
  };
  log(
    `  loaded ${fmt.int(total)} rows in ${fmt.seconds(loadSeconds)} (${fmt.int(result.rowsPerSecond)} rows/s, ` +
      `${fmt.int(result.rows.messages / loadSeconds)} messages/s); ${dialect === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE'} ${fmt.seconds(analyzeSeconds)}`,
  );
  return result;
}

if (isMain(import.meta.url)) {
  await runBench(async () => {
    const { values } = parseArgs({
      options: {
        'data-dir': { type: 'string' },
        conversations: { type: 'string' },
        'messages-per': { type: 'string' },
        batch: { type: 'string' },
      },
      strict: true,
    });
    const databaseUrl = process.env.DATABASE_URL || undefined;
    const dataDir = values['data-dir'] ?? process.env.FINCH_DATA_DIR;
    // No default directory: filling someone's real data/ with a million conversations by accident
    // would be unkind.
    if (!databaseUrl && !dataDir) throw new Error('say where: --data-dir DIR (or FINCH_DATA_DIR) for SQLite, or DATABASE_URL for PostgreSQL');
    await generate({
      conversations: wholeNumber('--conversations', values.conversations ?? process.env.BENCH_CONVERSATIONS, 1_000_000),
      messagesPerConversation: wholeNumber('--messages-per', values['messages-per'] ?? process.env.BENCH_MESSAGES_PER, 10),
      batchConversations: wholeNumber('--batch', values.batch, DEFAULT_BATCH_CONVERSATIONS),
      dataDir: path.resolve(dataDir ?? 'unused-by-postgres'),
      databaseUrl,
    });
  });
}
