/**
 * The container files, checked where no container engine runs: the Dockerfile builds with the npm
 * scripts CI runs and runs a real `finch` command as a non-root user with its data in a volume,
 * its health check (run here, against a real Finch) asks /health/live; compose.yaml runs
 * PostgreSQL, two nodes, one worker and Caddy, with settings Finch reads and accepts; Caddy's
 * upstreams are the nodes. Caddy validates its file when it is installed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { HTTP_TIMEOUTS } from '../../src/http/timeouts.js';
import { startTestFinch, type TestFinch } from '../support/finch.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions: comments dropped, continuation lines joined. */
function instructions(text: string): Instruction[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return logical
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** Stages by FROM, with the ARG defaults given before the first FROM resolved in image names. */
function stages(list: Instruction[]): { image: string; name?: string; steps: Instruction[] }[] {
  const args = new Map<string, string>();
  const result: { image: string; name?: string; steps: Instruction[] }[] = [];
  for (const step of list) {
    if (step.keyword === 'ARG' && result.length === 0) {
      const [name, value = ''] = step.args.split('=');
      args.set(name!, value);
    } else if (step.keyword === 'FROM') {
      const [image = '', as, name] = step.args.split(/\s+/);
      const resolved = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args.get(a ?? b) ?? '');
      result.push({ image: resolved, ...(as?.toUpperCase() === 'AS' ? { name } : {}), steps: [] });
    } else result.at(-1)?.steps.push(step);
  }
  return result;
}

/** The exec form's array (["a", "b"]), or the shell form as one string. */
function execForm(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : [args];
}

/** `KEY=value KEY2=value2` (ENV, as written here) into a map. */
function envOf(steps: Instruction[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const step of steps.filter((s) => s.keyword === 'ENV')) {
    for (const pair of step.args.split(/\s+/)) {
      const [name, value = ''] = pair.split('=');
      env.set(name!, value.replace(/^"|"$/g, ''));
    }
  }
  return env;
}

/** Every environment variable name the source reads (src/, tests excluded). */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const text = readFileSync(full, 'utf8');
        for (const match of text.matchAll(/env(?:\.|\[')([A-Z][A-Z0-9_]+)/g)) names.add(match[1]!);
        for (const match of text.matchAll(/'((?:FINCH|OTEL)_[A-Z0-9_]+)'/g)) names.add(match[1]!);
      }
    }
  };
  walk(path.join(root, 'src'));
  return names;
}

/** Compose's interpolation (`${X}`, `${X:-default}`, `${X:?error}`) from `values`; a missing required one throws. */
function interpolate(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{([A-Z_][A-Z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g, (_, name: string, operator?: string, rest?: string) => {
    const value = values[name];
    if (value !== undefined && value !== '') return value;
    if (operator === ':?') throw new Error(`${name} is required: ${rest}`);
    return operator === ':-' ? (rest ?? '') : '';
  });
}

/** Interpolates every string of the parsed file, as compose does (after parsing: `X: ${X:-}` is an empty string, not null). */
function interpolateAll(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') return interpolate(value, values);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item, values)]));
  return value;
}

/** The variables compose.yaml interpolates. */
function interpolated(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((match) => match[1]!));
}

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
  stop_grace_period?: string;
};

/** Caddy's and compose's durations (`500ms`, `5s`, `2m`) in milliseconds. */
function durationMs(text: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
}

// What an operator puts in .env (deploy/env.example), with the secrets filled in.
const DOT_ENV = {
  FINCH_DOMAIN: 'helpdesk.example.com',
  POSTGRES_PASSWORD: '3f9a1c0b7e6d5a4f3e2d1c0b9a8f7e6d5c4b3a29',
  FINCH_METRICS_TOKEN: '9b8a7f6e5d4c3b2a19b8a7f6e5d4c3b2a1',
  FINCH_LOG_LEVEL: 'info',
};

describe('the Dockerfile', () => {
  const steps = instructions(read('Dockerfile'));
  const [build, runtime] = stages(steps);
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

  it('builds in one stage with the npm scripts CI runs, and runs on a slim Node LTS in another', () => {
    expect(stages(steps)).toHaveLength(2);
    expect(build!.name).toBe('build');
    const commands = build!.steps.filter((s) => s.keyword === 'RUN').map((s) => s.args);
    // The same install and build as .ci/run and CI's `npm test` (its global setup builds).
    expect(commands.some((c) => /\bnpm ci\b/.test(c))).toBe(true);
    expect(commands.some((c) => /\bnpm run build\b/.test(c))).toBe(true);
    expect(commands.some((c) => /npm prune --omit=dev/.test(c))).toBe(true);
    expect(read('.ci/run')).toMatch(/\bnpm ci\b/);
    // better-sqlite3 compiles from source: the build stage has the tools.
    expect(commands.join(' ')).toMatch(/python3.*make.*g\+\+/);
    for (const step of steps) {
      for (const match of step.args.matchAll(/npm run ([\w:-]+)/g)) expect(Object.keys(scripts), `npm run ${match[1]}`).toContain(match[1]);
    }
    expect(runtime!.image).toBe('node:24-bookworm-slim');
    // The same base for both: the native module built in the first loads in the second.
    expect(build!.image).toBe(runtime!.image);
    // Only what runs: production dependencies (pruned in the build stage), the built code.
    const copied = runtime!.steps.filter((s) => s.keyword === 'COPY').map((s) => s.args);
    expect(copied).toEqual(expect.arrayContaining(['--from=build /app/node_modules ./node_modules', '--from=build /app/dist ./dist']));
    expect(copied.every((c) => c.startsWith('--from=build'))).toBe(true);
  });

  it('runs as a non-root user, with the data directory on a volume, the port exposed', () => {
    const env = envOf(runtime!.steps);
    const user = runtime!.steps.filter((s) => s.keyword === 'USER').at(-1)?.args ?? 'root';
    expect(user.split(':')[0]).not.toMatch(/^(root|0)$/);
    expect(runtime!.steps.filter((s) => s.keyword === 'VOLUME').flatMap((s) => execForm(s.args))).toContain(env.get('FINCH_DATA_DIR'));
    expect(runtime!.steps.find((s) => s.keyword === 'EXPOSE')?.args).toBe(env.get('FINCH_PORT'));
    // Listening on every interface of the container, not its loopback (Finch's default).
    expect(env.get('FINCH_HOST')).toBe('0.0.0.0');
    expect(runtime!.steps.find((s) => s.keyword === 'STOPSIGNAL')?.args).toBe('SIGTERM');
    expect(() => loadConfig(Object.fromEntries(env))).not.toThrow();
  });

  it('runs a real finch command: `finch start`', async () => {
    const entrypoint = execForm(runtime!.steps.find((s) => s.keyword === 'ENTRYPOINT')!.args);
    const command = execForm(runtime!.steps.find((s) => s.keyword === 'CMD')!.args);
    expect([...entrypoint, ...command]).toEqual(['finch', 'start']);
    // `finch` is the package's bin, linked onto the PATH.
    const bin = (JSON.parse(read('package.json')) as { bin: Record<string, string> }).bin.finch;
    expect(runtime!.steps.some((s) => s.keyword === 'RUN' && s.args.includes(`ln -s /app/${bin} /usr/local/bin/finch`))).toBe(true);
    expect(await finchCommands()).toContain('start');
  });

  it('leaves out of the build context what the build must not see, and keeps what it needs', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const pattern of ['node_modules', 'dist', '.env', '.git', 'data']) expect(ignored, pattern).toContain(pattern);
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'web', 'scripts']) {
      expect(existsSync(path.join(root, needed)), needed).toBe(true);
      expect(
        ignored.some((pattern) => pattern === needed || pattern === needed.split('/')[0]),
        needed,
      ).toBe(false);
    }
  });

  describe('its health check, run as the image runs it', () => {
    let finch: TestFinch;
    beforeAll(async () => {
      finch = await startTestFinch('sqlite');
    });
    afterAll(() => finch?.close());

    const check = (port: number) => {
      const healthcheck = steps.find((s) => s.keyword === 'HEALTHCHECK')!.args;
      const [, ...command] = execForm(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim());
      expect(execForm(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim())[0]).toBe('node');
      return run(process.execPath, command, { env: { ...process.env, FINCH_PORT: String(port) } }).then(
        () => 0,
        (error: { code: number }) => error.code,
      );
    };

    it('asks /health/live with node (no curl in the image): healthy while Finch answers, unhealthy when nothing listens', async () => {
      const healthcheck = steps.find((s) => s.keyword === 'HEALTHCHECK')!.args;
      expect(healthcheck).toContain('/health/live');
      expect(healthcheck).not.toMatch(/curl|wget/);
      const live = await fetch(`${finch.baseUrl}/health/live`);
      expect(live.status).toBe(200);
      expect(await check(Number(new URL(finch.baseUrl).port))).toBe(0);
      expect(await check(await closedPort())).toBe(1);
    });
  });
});

describe('compose.yaml', () => {
  const text = read('compose.yaml');
  const compose = interpolateAll(parse(text, { merge: true }), DOT_ENV) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const services = compose.services;
  const finchServices = Object.entries(services).filter(([, service]) => service.build === '.');
  const nodes = finchServices.filter(([, service]) => service.command?.[0] === 'start');
  const workers = finchServices.filter(([, service]) => service.command?.[0] === 'worker');
  const dependsOn = (service: Service) =>
    Array.isArray(service.depends_on) ? Object.fromEntries(service.depends_on.map((name) => [name, {}])) : (service.depends_on ?? {});

  it('runs PostgreSQL with a health check and a volume, two nodes with FINCH_DISPATCHER=off, one worker, and Caddy in front', () => {
    const postgres = services.postgres!;
    expect(postgres.image).toMatch(/^postgres:\d+/);
    expect(postgres.healthcheck?.test.join(' ')).toMatch(/pg_isready/);
    const [volume] = postgres.volumes![0]!.split(':');
    expect(Object.keys(compose.volumes)).toContain(volume);
    expect(nodes.map(([name]) => name)).toEqual(['finch-1', 'finch-2']);
    for (const [name, node] of nodes) {
      expect(node.environment?.FINCH_DISPATCHER, name).toBe('off');
      expect(node.ports, `${name}: reached through the proxy only`).toBeUndefined();
    }
    expect(workers.map(([name]) => name)).toEqual(['worker']);
    for (const [name, service] of finchServices) {
      expect(dependsOn(service).postgres, name).toEqual({ condition: 'service_healthy' });
      expect(service.environment?.FINCH_DEMO, `${name}: the demo is off`).toBe('off');
      expect(service.environment?.DATABASE_URL, name).toMatch(/^postgres:\/\/finch:[^@]+@postgres:5432\/finch$/);
    }
    expect(services.proxy!.image).toMatch(/^caddy:\d/);
  });

  it('sets only variables Finch reads, with values Finch accepts', async () => {
    const known = variablesRead();
    for (const [name, service] of finchServices) {
      for (const variable of Object.keys(service.environment ?? {})) expect(known.has(variable), `${name}: ${variable} is read nowhere in src/`).toBe(true);
      // As the container would see them: the image's ENV, then compose's environment.
      const env = { ...Object.fromEntries(envOf(stages(instructions(read('Dockerfile')))[1]!.steps)), ...service.environment };
      expect(() => loadConfig(env), name).not.toThrow();
      const config = loadConfig(env);
      expect(config.databaseUrl, name).toBeDefined();
      expect(config.publicUrl, name).toBe('https://helpdesk.example.com');
    }
    for (const [name, node] of nodes) expect(loadConfig(node.environment!).trustProxy, name).toBe(1);
    // Every node and the worker run a real command.
    const commands = await finchCommands();
    for (const [name, service] of finchServices) expect(commands, name).toContain(service.command![0]);
  });

  it('takes its secrets from .env, each one listed in deploy/env.example, and fails without the required ones', () => {
    const example = new Set(
      read('deploy/env.example')
        .split('\n')
        .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
        .map((line) => line.split('=')[0]!),
    );
    expect([...interpolated(text)].sort()).toEqual([...example].sort());
    // The template holds no secret: the required secrets are empty there.
    for (const line of read('deploy/env.example').split('\n')) {
      if (/^(POSTGRES_PASSWORD|FINCH_METRICS_TOKEN|FINCH_SIGNING_SECRET|FINCH_FIN_WEBHOOK_KEY)=/.test(line)) expect(line).toMatch(/=$/);
    }
    for (const required of ['FINCH_DOMAIN', 'POSTGRES_PASSWORD', 'FINCH_METRICS_TOKEN']) {
      expect(() => interpolate(text, { ...DOT_ENV, [required]: '' }), required).toThrow(`${required} is required`);
    }
  });

  it("checks the worker's health where it serves the probes", () => {
    const worker = services.worker!;
    const port = worker.environment?.FINCH_METRICS_PORT;
    expect(port).toMatch(/^\d+$/);
    expect(worker.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${port}/health/live`);
  });

  describe('the proxy (deploy/Caddyfile)', () => {
    const caddyfile = read('deploy/Caddyfile');
    const proxy = services.proxy!;

    it('sends to every node on its port, only to ready ones, and streams events unbuffered', () => {
      expect(proxy.volumes).toContain('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro');
      const upstreams = /reverse_proxy\s+([^{\n]+)\{/.exec(caddyfile)![1]!.trim().split(/\s+/);
      const port = envOf(stages(instructions(read('Dockerfile')))[1]!.steps).get('FINCH_PORT');
      expect(upstreams).toEqual(nodes.map(([name]) => `${name}:${port}`));
      expect(caddyfile).toMatch(/^\s*health_uri \/health\/ready$/m);
      expect(caddyfile).toMatch(/^\s*flush_interval -1$/m);
      // /metrics is scraped on the compose network, never served to the internet.
      expect(caddyfile).toMatch(/^\s*respond \/metrics 404$/m);
      expect(caddyfile).toContain('{$FINCH_DOMAIN}');
      expect(Object.keys(proxy.environment ?? {})).toContain('FINCH_DOMAIN');
    });

    it("takes a stopping node out before it closes, and drops idle connections before Finch's keep-alive timeout does", () => {
      const setting = (name: string) => new RegExp(`^\\s*${name} (.+)$`, 'm').exec(caddyfile)?.[1];
      // A SIGTERMed node answers /health/ready 503 for FINCH_SHUTDOWN_DELAY seconds, still serving:
      // one check interval plus its timeout later, Caddy has seen it. Compose waits that long plus
      // Finch's 10 s drain before SIGKILL.
      const checkedWithinMs = durationMs(setting('health_interval')!) + durationMs(setting('health_timeout')!);
      for (const [name, node] of nodes) {
        const delayMs = loadConfig(node.environment!).shutdownDelaySeconds * 1000;
        expect(delayMs, name).toBeGreaterThan(checkedWithinMs);
        expect(durationMs(node.stop_grace_period ?? '10s'), name).toBeGreaterThanOrEqual(delayMs + 10_000);
      }
      // Passive checks too: a refused connection takes a node out at once; one 503 does not (a busy
      // database's answer must not send all traffic to the other node).
      expect(setting('unhealthy_status')).toBeUndefined();
      expect(durationMs(setting('fail_duration')!)).toBeGreaterThan(0);
      expect(durationMs(setting('lb_try_duration')!)).toBeGreaterThan(0);
      // Caddy's default upstream keep-alive is 2 minutes; a node closes idle connections at 72 s.
      expect(caddyfile).toMatch(/transport http \{[^}]*keepalive \d/);
      expect(durationMs(setting('keepalive')!)).toBeLessThan(HTTP_TIMEOUTS.keepAliveMs);
    });

    it('scrapes with Prometheus what the README says, in a commented service that mounts deploy/prometheus.yml', () => {
      expect(text).toMatch(/^ {2}# prometheus:$/m);
      expect(text).toContain('#     - ./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
      expect(text).toMatch(/^# {3}metrics_token:\n# {5}environment: FINCH_METRICS_TOKEN$/m);
      const prometheus = parse(read('deploy/prometheus.yml')) as {
        scrape_configs: { authorization: { credentials_file: string }; static_configs: { targets: string[] }[] }[];
      };
      const [job] = prometheus.scrape_configs;
      expect(job!.authorization.credentials_file).toBe('/run/secrets/metrics_token');
      const port = envOf(stages(instructions(read('Dockerfile')))[1]!.steps).get('FINCH_PORT');
      expect(job!.static_configs.flatMap((config) => config.targets)).toEqual([
        ...nodes.map(([name]) => `${name}:${port}`),
        `worker:${services.worker!.environment!.FINCH_METRICS_PORT}`,
      ]);
    });

    it('is a configuration Caddy accepts (when Caddy is installed)', async (context) => {
      const caddy = ['/usr/bin/caddy', '/usr/local/bin/caddy'].find((file) => existsSync(file));
      if (!caddy) {
        // Said, not skipped silently: .ci/run does not install Caddy.
        process.stdout.write('caddy is not installed: deploy/Caddyfile was parsed but not validated by Caddy\n');
        context.annotate('caddy is not installed: deploy/Caddyfile not validated by Caddy');
        return;
      }
      // Caddy's own state (certificates, autosave) goes to a directory removed afterwards.
      const home = mkdtempSync(path.join(os.tmpdir(), 'finch-caddy-'));
      try {
        const { stdout, stderr } = await run(caddy, ['validate', '--adapter', 'caddyfile', '--config', path.join(root, 'deploy/Caddyfile')], {
          env: { ...process.env, FINCH_DOMAIN: DOT_ENV.FINCH_DOMAIN, HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home },
        });
        expect(`${stdout}${stderr}`).toContain('Valid configuration');
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });
  });
});

/** The commands `finch help` lists (the built CLI, as the image runs it). */
async function finchCommands(): Promise<string[]> {
  const { stdout } = await run(process.execPath, [path.join(root, 'dist/cli/main.js'), 'help']);
  const commands = stdout.split('Commands:')[1]!;
  return [...commands.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((match) => match[1]!);
}

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
