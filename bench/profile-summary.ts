/**
 * Sums up a V8 `.cpuprofile` (from BENCH_CPU_PROFILE, or `node --cpu-prof`) by where the time
 * went: self time per package (node_modules), per Finch folder (dist/…), per Node internal module,
 * and the garbage collector; then the Finch and library functions with the most inclusive time
 * (the function and everything it called). Used for bench/README.md's "Where the time goes".
 * A `.heapprofile` (BENCH_HEAP_PROFILE) is summed up the same way in bytes allocated.
 *
 *   node --import tsx bench/profile-summary.ts FILE.cpuprofile|FILE.heapprofile… [--requests N] [--top 25]
 *
 * With --requests (the requests served while profiling), times and bytes are also given per request.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A sampling heap profile (BENCH_HEAP_PROFILE): a call tree whose nodes carry the bytes allocated there. */
interface HeapProfileNode {
  callFrame: ProfileNode['callFrame'];
  selfSize: number;
  children: HeapProfileNode[];
}

/** The bucket a frame's self time goes to: a package, a Finch folder, a Node module, or a V8 pseudo-frame. */
function bucketOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('node:')) {
    const name = url.slice('node:'.length).replace(/^internal\//, '');
    return `node:${name.split('/').slice(0, 2).join('/').replace(/\.js$/, '')}`;
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) {
    const parts = url.slice(dist + '/dist/'.length).split('/');
    return `finch ${parts.length > 2 ? parts.slice(0, 2).join('/') : parts[0]!.replace(/\.js$/, '')}`;
  }
  return url;
}

/**
 * The stage of a request a bucket belongs to, for the summary in bench/README.md. Code compiled at
 * run time has no file: ajv's validators are named `validate…`, fast-json-stringify's serializers
 * `anonymous…`.
 */
const STAGES: [stage: string, test: RegExp][] = [
  ['startup (module loading)', /^node:modules\//],
  ['garbage collection', /^\(garbage collector\)$/],
  ['queries (driver, Kysely, Finch store)', /^(better-sqlite3|pg|pg-protocol|pg-pool|pg-types|postgres-\w+|kysely|finch store\/.*|node:buffer)$/],
  ['validation (ajv)', /^(ajv|ajv-formats|\(native\) validate\d*|finch http\/validation)$/],
  ['serialization (fast-json-stringify)', /^(fast-json-stringify|\(native\) anonymous\d*|\(native\) RegExp: .*)$/],
  ['authentication', /^(finch domain\/auth|finch http\/fin\/auth|node:crypto\/.*)$/],
  ['logging (pino)', /^(pino|pino-std-serializers|sonic-boom|thread-stream|finch http\/logging)$/],
  ['metrics (prom-client)', /^(prom-client|finch metrics)$/],
  ['tracing (OpenTelemetry)', /^(@opentelemetry\/.*|@fastify\/otel|finch telemetry)$/],
  ['outbox and change notices', /^finch (outbox|store\/sql\/change-feed)$/],
  ['Fin API handlers and presenters', /^finch (http\/fin|domain\/fin|domain)$/],
  // Wall time of the system calls: the kernel's loopback delivery to the reader included (see README).
  [
    'socket writes (answers to clients, messages to PostgreSQL)',
    /^(\(native\) (writev|writeBuffer|writeUtf8String|writeLatin1String)|node:stream_base_commons|node:net)$/,
  ],
  ['framework and HTTP (Fastify, Node)', /^(fastify|find-my-way|avvio|light-my-request|@fastify\/.*|fast-querystring|node:.*|\(native\) .*|\(program\))$/],
];

function stageOf(bucket: string): string {
  return STAGES.find(([, test]) => test.test(bucket))?.[0] ?? `other: ${bucket}`;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { requests: { type: 'string' }, top: { type: 'string', default: '25' } },
  });
  if (positionals.length === 0) {
    process.stderr.write('usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile|FILE.heapprofile… [--requests N] [--top 25]\n');
    process.exit(2);
  }
  const requests = values.requests ? Number(values.requests) : undefined;
  const top = Number(values.top);
  // A server and its workers each write a profile: each is summed up on its own.
  positionals.forEach((file, index) => {
    if (positionals.length > 1) process.stdout.write(`${index > 0 ? '\n' : ''}== ${file}\n`);
    const profile: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (file.endsWith('.heapprofile')) summarizeAllocations((profile as { head: HeapProfileNode }).head, requests, top);
    else summarize(profile as CpuProfile, requests, top);
  });
}

function summarize(profile: CpuProfile, requests: number | undefined, top: number): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idle += delta;
      return;
    }
    total += delta;
    const bucket = bucketOf(node.callFrame);
    self.set(bucket, (self.get(bucket) ?? 0) + delta);
    const here = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '')}:${node.callFrame.lineNumber + 1}`;
    selfByFunction.set(here, (selfByFunction.get(here) ?? 0) + delta);
    // Each function once per sample, however deep it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (!frame.url || frame.url.startsWith('node:')) continue;
      const key = `${frame.functionName || '(anonymous)'} ${bucketOf(frame)}:${frame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + delta);
    }
  });

  const format = (us: number) => {
    const share = `${((100 * us) / total).toFixed(1).padStart(5)} %`;
    const perRequest = requests ? `  ${(us / requests).toFixed(1).padStart(7)} µs/req` : '';
    return `${share}${perRequest}`;
  };
  process.stdout.write(
    `busy ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s${requests ? `, ${requests} requests: ${(total / requests).toFixed(1)} µs busy per request` : ''}\n\n`,
  );
  const stages = new Map<string, number>();
  for (const [bucket, us] of self) stages.set(stageOf(bucket), (stages.get(stageOf(bucket)) ?? 0) + us);
  process.stdout.write('self time by stage of a request\n');
  for (const [stage, us] of [...stages].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${format(us)}  ${stage}\n`);
  process.stdout.write('\nself time by where it runs\n');
  for (const [bucket, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${format(us)}  ${bucket}\n`);
  process.stdout.write('\nself time by function\n');
  for (const [key, us] of [...selfByFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${format(us)}  ${key}\n`);
  process.stdout.write('\ninclusive time by function (JavaScript frames)\n');
  for (const [key, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${format(us)}  ${key}\n`);
}

/**
 * Bytes allocated (sampled) by where: per package or Finch folder, per function, and inclusive per
 * JavaScript function (it and everything it called). V8's own allocations outside JavaScript show
 * as `(root)` children such as `(V8 API)`.
 */
function summarizeAllocations(head: HeapProfileNode, requests: number | undefined, top: number): void {
  const self = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, bytes: number) => map.set(key, (map.get(key) ?? 0) + bytes);
  // Returns the bytes under `node`; `onPath` keeps a recursive function from being counted twice.
  const walk = (node: HeapProfileNode, onPath: Set<string>): number => {
    const frame = node.callFrame;
    add(self, bucketOf(frame), node.selfSize);
    add(selfByFunction, `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(node_modules|dist)\//, '')}:${frame.lineNumber + 1}`, node.selfSize);
    const key = frame.url && !frame.url.startsWith('node:') ? `${frame.functionName || '(anonymous)'} ${bucketOf(frame)}:${frame.lineNumber + 1}` : undefined;
    const counted = key !== undefined && !onPath.has(key);
    if (counted) onPath.add(key);
    let bytes = node.selfSize;
    for (const child of node.children) bytes += walk(child, onPath);
    if (counted) {
      onPath.delete(key);
      add(inclusive, key, bytes);
    }
    return bytes;
  };
  const total = walk(head, new Set());
  const format = (bytes: number) => {
    const share = `${((100 * bytes) / total).toFixed(1).padStart(5)} %`;
    const perRequest = requests ? `  ${(bytes / requests / 1024).toFixed(1).padStart(7)} kB/req` : '';
    return `${share}${perRequest}`;
  };
  process.stdout.write(
    `allocated (sampled) ${(total / 2 ** 20).toFixed(1)} MB${requests ? `, ${requests} requests: ${(total / requests / 1024).toFixed(1)} kB per request` : ''}\n`,
  );
  const print = (title: string, map: Map<string, number>) => {
    process.stdout.write(`\n${title}\n`);
    for (const [key, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${format(bytes)}  ${key}\n`);
  };
  print('allocated by where it runs', self);
  print('allocated by function', selfByFunction);
  print('inclusive by function (JavaScript frames)', inclusive);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Piped into `head`, the reader may leave before the last line: that ends the summary, quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  main();
}
