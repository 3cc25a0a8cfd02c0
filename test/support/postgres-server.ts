/**
 * A throwaway PostgreSQL server for the test run, started from the machine's own binaries
 * (/usr/lib/postgresql/<version>/bin). initdb refuses to run as root, so as root the server runs
 * as the `postgres` system user. It listens on loopback only, trusts local connections, and trades
 * durability for speed (fsync off): its data directory is deleted afterwards.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  url: string;
  stop: () => Promise<void>;
}

export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && path.join(root, versions[0], 'bin');
}

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
  if (!bin) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql/*/bin (install postgresql, or set DATABASE_URL)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'finch-pg-'));
  const dataDir = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  let runAs: string[] = [];
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) throw new Error('running as root and there is no "postgres" user to run PostgreSQL as');
    const uid = Number(id.stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chmodSync(dir, 0o755);
    chownSync(dir, uid, gid);
    runAs = ['runuser', '-u', 'postgres', '--'];
  }
  const run = (command: string, args: string[]) => {
    const argv = [...runAs, path.join(bin, command), ...args];
    return spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  };
  const init = run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync', '--locale=C']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout || init.error?.message}`);

  const port = await freePort();
  const argv = [
    ...runAs,
    path.join(bin, 'postgres'),
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
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
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
        // SIGQUIT: immediate shutdown; nothing here is worth a checkpoint. The signal goes to the
        // postmaster itself (its pid is in postmaster.pid), since runuser does not pass it on.
        const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
        process.kill(Number.isInteger(postmaster) && postmaster > 0 ? postmaster : child.pid!, 'SIGQUIT');
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
 * A dedicated PostgreSQL (not the run's shared one) that tests may take down: as `startPostgres`,
 * but detached under pg_ctl, which can restart it on the same port. As root it runs as `postgres`.
 */
export async function startControlledPostgres(): Promise<ControlledPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql/*/bin');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'finch-pgctl-'));
  const dataDir = path.join(dir, 'data');
  let runAs: string[] = [];
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root and there is no "postgres" user to run PostgreSQL as');
    chmodSync(dir, 0o755);
    chownSync(dir, uid, gid);
    runAs = ['runuser', '-u', 'postgres', '--'];
  }
  const run = (command: string, args: string[]) => {
    const argv = [...runAs, path.join(bin, command), ...args];
    // Not spawnSync: pg_ctl waits for the server, and the test's own timers must keep running meanwhile.
    return new Promise<{ status: number | null; output: string }>((resolve) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('close', (status) => resolve({ status, output }));
    });
  };
  const init = await run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync', '--locale=C']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.output}`);
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
