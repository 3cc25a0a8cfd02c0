/**
 * How long after Fin hands a conversation over does the "waiting for a person" email reach the
 * SMTP server? A real `finch start` (FINCH_SMTP_URL set) on SQLite and on PostgreSQL, a real SMTP
 * server (smtp-server) in this process, and Fin handing conversations over through the Fin API
 * (`update_conversation` with `assignee_id: null`), one every `--gap` ms. Before each hand-over
 * exactly one fresh agent chooses `handover: always` (the previous one goes back to `never`), so
 * each hand-over is one email to one recipient and no burst grouping (30 s per recipient) is
 * measured. p50/p90/p99 of hand-over sent → message accepted (the SMTP server's end of DATA), raw
 * and without the deliberate 5 s hold (HANDOVER_HOLD_MS: automatic assignment's chance to make the
 * email untrue). The baseline is the same email sent straight with nodemailer to the same server,
 * in the same run: the cost of SMTP itself. See bench/README.md.
 *
 *   node --import tsx bench/notify-latency.ts [--db sqlite|postgres|both] [--count 60] [--gap 250]
 *   env: DATABASE_URL (a PostgreSQL server to create throwaway databases on; default: start one)
 */
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { FinClient } from '../src/client/fin-client.js';
import { HANDOVER_HOLD_MS } from '../src/domain/notifications/queue-notifications.js';
import { openDatabase } from '../src/store/sql/database.js';
import { Cleanup, runBench } from './lib/cleanup.js';
import { ensureBuilt, finchEnv, startFinch, type FinchTarget } from './lib/finch-process.js';
import { environment, parseDbChoice, wholeNumber, type DbKind } from './lib/options.js';
import { REPO_ROOT, writeResults } from './lib/paths.js';
import { acquirePostgres, type PostgresHost } from './lib/postgres.js';
import { seedConversation } from './lib/seed-api.js';
import { delay } from './lib/service.js';
import { summarizeLatencies, type LatencySummary } from './lib/stats.js';
import { fmt, printTable } from './lib/table.js';

const run = promisify(execFile);
const MAIN = `${REPO_ROOT}/dist/cli/main.js`;
const NEVER = JSON.stringify({ email: { handover: 'never', assigned: 'never', customer_reply: 'never', sla: 'never' } });
const ALWAYS = JSON.stringify({ email: { handover: 'always', assigned: 'never', customer_reply: 'never', sla: 'never' } });

interface Settings {
  databases: DbKind[];
  count: number;
  gapMs: number;
}

interface Accepted {
  conversationId: string | undefined;
  at: number;
}

interface Result {
  setup: string;
  emails: number;
  missing: number;
  duplicates: number;
  raw: LatencySummary;
  pipeline: LatencySummary;
  baseline: LatencySummary;
}

function readSettings(): Settings {
  const { values } = parseArgs({ options: { db: { type: 'string' }, count: { type: 'string' }, gap: { type: 'string' } }, strict: true });
  return { databases: parseDbChoice(values.db, 'both'), count: wholeNumber('--count', values.count, 60), gapMs: wholeNumber('--gap', values.gap, 250) };
}

await runBench(async (cleanup) => {
  const settings = readSettings();
  ensureBuilt();
  const postgres = settings.databases.includes('postgres') ? await acquirePostgres(cleanup) : undefined;
  const results: Result[] = [];
  for (const db of settings.databases) results.push(await measure(db, settings, postgres));
  printTable(
    `Hand-over → "waiting" email accepted by the SMTP server, ${settings.count} hand-overs ${settings.gapMs} ms apart, one server; ms`,
    ['setup', 'emails', 'missing', 'twice', 'p50', 'p90', 'p99', 'max', 'minus hold p50', 'p99', 'bare SMTP p50', 'p99', 'pipeline / bare p50'],
    results.map((result) => [
      result.setup,
      fmt.int(result.emails),
      fmt.int(result.missing),
      fmt.int(result.duplicates),
      fmt.ms(result.raw.p50Ms, 0),
      fmt.ms(result.raw.p90Ms, 0),
      fmt.ms(result.raw.p99Ms, 0),
      fmt.ms(result.raw.maxMs, 0),
      fmt.ms(result.pipeline.p50Ms, 0),
      fmt.ms(result.pipeline.p99Ms, 0),
      fmt.ms(result.baseline.p50Ms, 1),
      fmt.ms(result.baseline.p99Ms, 1),
      fmt.ratio(result.pipeline.p50Ms / result.baseline.p50Ms),
    ]),
  );
  process.stdout.write(`\nresults: ${writeResults('notify-latency', { settings, environment: environment(), results })}\n`);
});

async function measure(db: DbKind, settings: Settings, postgres: PostgresHost | undefined): Promise<Result> {
  const scope = new Cleanup();
  try {
    const { dir } = scope.tempDir(`finch-notify-${db}-`);
    const database = db === 'postgres' ? await postgres!.newDatabase('finch_notify') : undefined;
    const accepted: Accepted[] = [];
    const smtp = await startSmtp(accepted);
    scope.add('stop the SMTP server', smtp.close);
    const target: FinchTarget = {
      dataDir: dir,
      databaseUrl: database?.url,
      env: { FINCH_SMTP_URL: smtp.url, FINCH_MAIL_FROM: 'Finch <finch@example.test>' },
    };
    const env = finchEnv(target);

    log(`[${db}] creating ${settings.count} agents and a Fin token…`);
    const finToken = (JSON.parse((await run(process.execPath, [MAIN, 'create-fin-token', '--json'], { env, cwd: REPO_ROOT })).stdout) as { token: string })
      .token;
    for (let index = 0; index < settings.count; index++) {
      await run(process.execPath, [MAIN, 'create-agent', '--name', `Agent ${index}`, '--email', `agent.${index}@example.test`, '--role', 'agent', '--json'], {
        env,
        cwd: REPO_ROOT,
      });
    }
    const server = await startFinch(target);
    scope.add('stop Finch', server.stop);
    const fin = new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'rest', token: finToken });
    const ids: string[] = [];
    for (let index = 0; index < settings.count; index++) ids.push((await seedConversation(fin, 1)).conversationId);

    const data = openDatabase({ url: target.databaseUrl, dataDir: target.dataDir, poolSize: 2 });
    scope.add('close the database', () => data.close());
    const agents = await data.db.selectFrom('agents').select(['id', 'email']).where('email', 'like', 'agent.%').orderBy('email').execute();
    await data.db.updateTable('agents').set({ notification_prefs: NEVER }).execute();

    log(`[${db}] ${settings.count} hand-overs, ${settings.gapMs} ms apart…`);
    const sentAt = new Map<string, number>();
    for (let index = 0; index < settings.count; index++) {
      // Exactly one recipient per hand-over: this agent chooses hand-overs, the previous one stops.
      await data.db.updateTable('agents').set({ notification_prefs: NEVER }).where('notification_prefs', '=', ALWAYS).execute();
      await data.db.updateTable('agents').set({ notification_prefs: ALWAYS }).where('id', '=', agents[index]!.id).execute();
      sentAt.set(ids[index]!, performance.now());
      const answer = await fin.call('update_conversation', { conversation_id: ids[index]!, assignee_id: null });
      if (answer.status !== 200) throw new Error(`hand-over: ${answer.status}`);
      await delay(settings.gapMs);
    }
    const deadline = Date.now() + HANDOVER_HOLD_MS + 30_000;
    while (accepted.length < settings.count && Date.now() < deadline) await delay(100);
    await delay(1000);

    const latencies: number[] = [];
    const seen = new Set<string>();
    let duplicates = 0;
    for (const mail of accepted) {
      const sent = mail.conversationId ? sentAt.get(mail.conversationId) : undefined;
      if (sent === undefined) continue;
      if (seen.has(mail.conversationId!)) duplicates++;
      else latencies.push(mail.at - sent);
      seen.add(mail.conversationId!);
    }
    const baseline = await bareSmtp(smtp.url, settings.count);
    return {
      setup: `${db}, 1 server`,
      emails: latencies.length,
      missing: settings.count - latencies.length,
      duplicates,
      raw: summarizeLatencies(latencies),
      pipeline: summarizeLatencies(latencies.map((ms) => ms - HANDOVER_HOLD_MS)),
      baseline,
    };
  } finally {
    await scope.runAll();
  }
}

/** An SMTP server that notes when each message was accepted and which conversation it links to. */
async function startSmtp(accepted: Accepted[]): Promise<{ url: string; close: () => Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // No reverse DNS lookup of each client (loopback): it would add its own delay to every message.
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      let text = '';
      stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      stream.on('end', () => {
        const unfolded = text.replace(/=\r?\n/g, '');
        accepted.push({ conversationId: /\/c\/(conv_[0-9A-Za-z]+)/.exec(unfolded)?.[1], at: performance.now() });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The same kind of email sent straight with nodemailer over a pooled transport (as Finch's): SMTP's own cost. */
async function bareSmtp(url: string, count: number): Promise<LatencySummary> {
  const transport = nodemailer.createTransport({ url, pool: true, maxConnections: 4 });
  const latencies: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await transport.sendMail({
      from: 'Finch <finch@example.test>',
      to: `agent.${index}@example.test`,
      subject: 'Eve is waiting for a person: Cannot export my invoices',
      text: 'Eve is waiting for a person\n  Cannot export my invoices\n  http://127.0.0.1/c/conv_bare\n',
      html: '<p><strong>Eve is waiting for a person</strong><br>Cannot export my invoices<br><a href="http://127.0.0.1/c/conv_bare">Open</a></p>',
      messageId: `<bare.${index}@example.test>`,
    });
    latencies.push(performance.now() - started);
  }
  transport.close();
  return summarizeLatencies(latencies);
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
