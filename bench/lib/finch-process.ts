/**
 * Finch as people run it: `node dist/cli/main.js start` in its own process, configured by
 * environment variables, with the OAuth client it prints on first start.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { fetchAccessToken } from '../../src/client/fin-client.js';
import { finClientFromBanner } from './test-harness.js';
import { REPO_ROOT } from './paths.js';
import { startService } from './service.js';

const MAIN = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

export interface FinchTarget {
  /** The SQLite file goes here; also set for PostgreSQL, where Finch keeps nothing in it. */
  dataDir: string;
  /** A postgres:// URL, or undefined for SQLite. */
  databaseUrl?: string | undefined;
  /** More settings for what a bench measures (e.g. FINCH_SMTP_URL). */
  env?: Record<string, string>;
}

export interface FinchProcess {
  pid: number;
  /** e.g. http://127.0.0.1:39123 */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  stop: () => Promise<void>;
}

/**
 * Builds dist/ when it is missing. An existing dist/ is used as it is, even when src/ is newer
 * (someone may be half-way through an edit that does not compile): a warning says so, and
 * `npm run build` brings it up to date.
 */
export function ensureBuilt(): void {
  if (!existsSync(MAIN)) {
    process.stderr.write('dist/ is missing: running npm run build…\n');
    execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
    return;
  }
  // The newest file of dist/, not main.js alone: the compiler leaves a file it would write the same untouched.
  const built = newestMtime(path.join(REPO_ROOT, 'dist'));
  const newer = newestMtime(path.join(REPO_ROOT, 'src'));
  if (newer > built) {
    process.stderr.write('warning: src/ has changed since dist/ was built; measuring dist/ as it is (run npm run build to update it)\n');
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function finchEnv(target: FinchTarget): NodeJS.ProcessEnv {
  // Only what Finch is documented to read, so the caller's own FINCH_* settings (say, a signing
  // secret) cannot change what is measured.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  env.FINCH_PORT = '0'; // any free port; the banner says which
  env.FINCH_DATA_DIR = target.dataDir;
  env.FINCH_LOG_LEVEL = 'warn'; // request logs would measure pino, not Finch
  env.FINCH_DEMO = 'off'; // no emulator beside the server being measured
  if (target.databaseUrl) env.DATABASE_URL = target.databaseUrl;
  return { ...env, ...target.env };
}

export async function startFinch(target: FinchTarget): Promise<FinchProcess> {
  const env = finchEnv(target);
  const service = await startService({
    name: 'Finch',
    command: process.execPath,
    args: [...profileArgs(), MAIN, 'start'],
    cwd: REPO_ROOT,
    env,
    timeoutMs: 120_000,
    ready: parseBanner,
  });
  const { baseUrl } = service.info;
  // The client is printed only on a database's first start; a database Finch has served before
  // (a kept one) gets a new client from the CLI instead.
  const client = service.info.client ?? createClient(env);
  return { pid: service.pid, baseUrl, ...client, stop: service.stop };
}

/**
 * BENCH_CPU_PROFILE=DIR: Finch runs under V8's sampling profiler and writes a `.cpuprofile` into
 * DIR when it stops (bench/profile-summary.ts sums one up by where the time goes); servers and
 * workers alike (throughput.ts, soak.ts, and the deployments of webhook-latency.ts and
 * routing-latency.ts). BENCH_HEAP_PROFILE=DIR: the same processes write an allocation profile,
 * `<pid>.heapprofile`, into DIR. BENCH_PERF_MAP=1 and BENCH_NODE_OPTIONS: bench/README.md, "Profiling".
 */
export function profileArgs(): string[] {
  const cpu = process.env.BENCH_CPU_PROFILE;
  const cpuArgs = cpu ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(cpu), '--cpu-prof-interval', '250'] : [];
  // BENCH_HEAP_PROFILE=DIR: who allocates how much, collected objects included (allocation-sampler.mjs).
  // The directory rides in the module's URL: Finch's environment is built from scratch (finchEnv).
  // BENCH_PERF_MAP=1: V8 writes /tmp/perf-<pid>.map, so Linux `perf` names JavaScript functions.
  if (process.env.BENCH_PERF_MAP === '1') cpuArgs.push('--perf-basic-prof-only-functions');
  // BENCH_NODE_OPTIONS: node's own options for each Finch process (--heap-growing-percent=0: V8's own heap growth).
  cpuArgs.push(...(process.env.BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean));
  const heap = process.env.BENCH_HEAP_PROFILE;
  if (!heap) return cpuArgs;
  const sampler = pathToFileURL(path.join(REPO_ROOT, 'bench', 'lib', 'allocation-sampler.mjs'));
  sampler.searchParams.set('dir', path.resolve(heap));
  return [...cpuArgs, '--import', sampler.href];
}

interface Banner {
  baseUrl: string;
  client: { clientId: string; clientSecret: string } | undefined;
}

/** The start banner (src/cli/start.ts), complete once its last line for either case is there. */
function parseBanner(lines: readonly string[]): Banner | undefined {
  const text = lines.join('\n');
  const url = /Finch is running at (http:\/\/\S+)/.exec(text)?.[1];
  const client = finClientFromBanner(text);
  if (url && client) return { baseUrl: url, client };
  if (url && /finch create-client/.test(text)) return { baseUrl: url, client: undefined };
  return undefined;
}

function createClient(env: NodeJS.ProcessEnv): { clientId: string; clientSecret: string } {
  const out = execFileSync(process.execPath, [MAIN, 'create-client', '--name', 'bench', '--json'], { cwd: REPO_ROOT, env, encoding: 'utf8' });
  const parsed = JSON.parse(out) as { client_id: string; client_secret: string };
  return { clientId: parsed.client_id, clientSecret: parsed.client_secret };
}

/** An access token for the Fin API, by the client credentials grant, as Fin gets one. */
export async function fetchToken(finch: FinchProcess): Promise<string> {
  const { accessToken } = await fetchAccessToken(`${finch.baseUrl}/oauth/token`, finch.clientId, finch.clientSecret);
  return accessToken;
}

const execFileAsync = promisify(execFile);

/** `finch <args>` with `env` (finchEnv's), to completion; its standard output. */
export async function finch(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  try {
    return (await execFileAsync(process.execPath, [MAIN, ...args], { cwd: REPO_ROOT, env })).stdout;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`finch ${args[0]} failed: ${stderr?.trim() || (error as Error).message}`);
  }
}

const ADMIN = { name: 'Bench Admin', email: 'bench-admin@example.test', password: 'bench password, not secret' };

/** An admin agent and a personal API token of theirs (for the agent API: no CSRF with a bearer token). */
export async function createAdminToken(env: NodeJS.ProcessEnv): Promise<string> {
  await finch(env, 'create-agent', '--name', ADMIN.name, '--email', ADMIN.email, '--password', ADMIN.password, '--role', 'admin', '--json');
  return (JSON.parse(await finch(env, 'create-token', '--agent', ADMIN.email, '--json')) as { token: string }).token;
}
