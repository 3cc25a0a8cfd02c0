/**
 * The import rules of ARCHITECTURE.md, checked: dependencies point inward (HTTP edge → domain →
 * port), and the contract and domain stay free of Fastify, SQL and the web; no module imports
 * itself through others; a migration imports nothing that can change.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

const WEB = path.resolve(SRC, '../web/src');
const MIGRATIONS = path.join(SRC, 'store/sql/migrations');

/** The TypeScript modules under `dir` (`.tsx` too when asked), tests and declaration files left out. */
function sources(dir: string, extension = /\.ts$/): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full, extension);
    return extension.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/**
 * Every module a file names: `import` and `import type`, `export … from`, side-effect imports
 * (`import './x.js'`) and dynamic `import()`.
 */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g),
    ...text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g),
    ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
}

/** The source file a relative specifier names (`./x.js` is `./x.ts` or `./x.tsx`), or undefined (a package, a stylesheet). */
function resolveSource(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(file), specifier);
  const stem = base.replace(/\.js$/, '');
  return [`${stem}.ts`, `${stem}.tsx`, base, path.join(base, 'index.ts')].find(
    (candidate) => /\.tsx?$/.test(candidate) && existsSync(candidate) && statSync(candidate).isFile(),
  );
}

/**
 * The import cycles among `files`: each strongly connected group of modules (Tarjan), as sorted
 * paths relative to `root`. Type-only imports count: they vanish from the JavaScript, but a cycle
 * of them still ties the modules into one unit that cannot be understood, tested or moved apart,
 * and the next value import along the same edge (a shared constant next to the type) turns it into
 * a load-order failure (`Cannot access … before initialization`). Breaking one costs a leaf module.
 */
function importCycles(files: string[], root: string): string[][] {
  const known = new Set(files);
  const edges = new Map(
    files.map((file) => [
      file,
      [...new Set(imports(file).map((specifier) => resolveSource(file, specifier)))].filter((to): to is string => to !== undefined && known.has(to)),
    ]),
  );
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const to of edges.get(file)!) {
      if (!index.has(to)) {
        visit(to);
        low.set(file, Math.min(low.get(file)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(file, Math.min(low.get(file)!, index.get(to)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== file);
    if (group.length > 1 || edges.get(file)!.includes(file)) cycles.push(group.map((each) => path.relative(root, each)).sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return cycles;
}

/**
 * What the migrations in `dir` import that a migration must not. A migration runs on a fresh
 * installation years after it was written and must do exactly what it did then, so it imports only
 * `kysely` (types and the query builder, whose SQL it spells) and modules beside it that only
 * migrations use (dialect-migration.ts, frozen copies) — never the runner (index.ts, which imports
 * the database layer) nor the live domain. 0003 may also import sanitize-html: its frozen
 * `htmlToText` copy parses HTML with the library it ran with (see the comment there).
 */
function migrationImportViolations(dir: string): string[] {
  const allowed = (file: string, specifier: string): boolean => {
    if (specifier === 'kysely') return true;
    if (specifier === 'sanitize-html') return path.basename(file) === '0003_search.ts';
    const sibling = /^\.\/([^/]+)\.js$/.exec(specifier)?.[1];
    return sibling !== undefined && sibling !== 'index' && resolveSource(file, specifier) !== undefined;
  };
  return sources(dir)
    .filter((file) => path.basename(file) !== 'index.ts')
    .flatMap((file) =>
      imports(file)
        .filter((specifier) => !allowed(file, specifier))
        .map((specifier) => `${path.basename(file)}: ${specifier}`),
    );
}

/**
 * The packages the inbox (web/src) may import: it runs in the browser and reaches Finch over HTTP
 * only. React and its DOM renderer, DOMPurify for stored HTML, TanStack Virtual for long lists and
 * TanStack Query for loading and invalidating what the screens show. `typebox` gives types only.
 */
const WEB_PACKAGES = ['react', 'react-dom', 'dompurify', '@tanstack/react-virtual', '@tanstack/react-query'];
const WEB_TYPE_ONLY_PACKAGES = ['typebox'];

/**
 * Every import of a module: its specifier, and whether it is `import type` / `export type` as a
 * whole (an `import { type X }` keeps an import in the JavaScript, so it counts as a value import).
 */
function importStatements(file: string): { specifier: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...[...text.matchAll(/(?:^|\n)\s*(?:import|export)(\s+type\b)?[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => ({
      specifier: m[2]!,
      typeOnly: m[1] !== undefined,
    })),
    ...[...text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => ({
      specifier: m[1]!,
      typeOnly: false,
    })),
  ];
}

/**
 * What the modules of the inbox (`web`, read recursively) import that they must not: anything
 * outside `web` but the contract's types (`import type` from `contract`) and its dependency-free
 * plain-text module, and any package but WEB_PACKAGES (WEB_TYPE_ONLY_PACKAGES for types). Also the
 * files read, so a test can prove that none was left out, and how many imports reached the contract.
 */
function webImportViolations(web: string, contract: string): { files: string[]; violations: string[]; intoContract: number } {
  const files = sources(web, /\.tsx?$/);
  let intoContract = 0;
  const allowed = (file: string, { specifier, typeOnly }: { specifier: string; typeOnly: boolean }): boolean => {
    if (!specifier.startsWith('.')) {
      const name = specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/');
      return WEB_PACKAGES.includes(name) || (typeOnly && WEB_TYPE_ONLY_PACKAGES.includes(name));
    }
    const to = path.resolve(path.dirname(file), specifier);
    if (to.startsWith(`${web}${path.sep}`)) return true;
    if (!to.startsWith(`${contract}${path.sep}`)) return false;
    intoContract += 1;
    return typeOnly || to === path.join(contract, 'plain-text.js');
  };
  const violations = files.flatMap((file) =>
    importStatements(file)
      .filter((statement) => !allowed(file, statement))
      .map(({ specifier, typeOnly }) => `${path.relative(web, file).split(path.sep).join('/')}: ${typeOnly ? 'type ' : ''}${specifier}`),
  );
  return { files, violations, intoContract };
}

/** A throwaway folder of files (relative path → text), removed after `check`. */
function withFiles<T>(files: Record<string, string>, check: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'finch-architecture-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    return check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where an import lands: a part of src (e.g. `domain`, `store/sql`) or a package name. */
function target(file: string, specifier: string): string {
  if (!specifier.startsWith('.'))
    return specifier.startsWith('node:')
      ? 'node'
      : specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/');
  const resolved = path.relative(SRC, path.resolve(path.dirname(file), specifier));
  return resolved.startsWith('store/sql') ? 'store/sql' : resolved.startsWith('store/memory') ? 'store/memory' : resolved.split('/')[0]!.replace(/\.js$/, '');
}

const FORBIDDEN: Record<string, string[]> = {
  contract: ['domain', 'store', 'store/sql', 'store/memory', 'http', 'cli', 'client', 'finch', 'fastify', 'kysely', 'pg', 'better-sqlite3'],
  // The domain reaches data through the port only.
  domain: [
    'http',
    'cli',
    'client',
    'finch',
    'jobs',
    'outbox',
    'routing',
    'notifications',
    'store',
    'store/sql',
    'store/memory',
    'fastify',
    'kysely',
    'pg',
    'better-sqlite3',
    '@fastify/swagger',
    // Tracing is the edge's and the process's: the domain makes no spans and never loads the SDK.
    'telemetry',
    '@opentelemetry/sdk-node',
    '@opentelemetry/instrumentation-http',
    '@opentelemetry/instrumentation-pg',
    '@fastify/otel',
    // Metrics are the edge's and the process's too (src/metrics/).
    'metrics',
    'prom-client',
  ],
  // Stores keep data; what talks to the world (delivery, posting, routing loops) is outside them.
  'store/memory': ['http', 'cli', 'store/sql', 'outbox', 'notifications', 'routing', 'jobs', 'fastify', 'kysely'],
  'store/sql': ['http', 'cli', 'store/memory', 'outbox', 'notifications', 'routing', 'jobs', 'fastify'],
  client: ['domain', 'store', 'store/sql', 'store/memory', 'http', 'cli', 'fastify', 'kysely'],
  http: ['cli', 'store/sql', 'kysely', 'pg', 'better-sqlite3', 'outbox', 'jobs', 'routing', 'notifications'],
  // The dispatcher reaches data through the ports and Fin over HTTP; it knows nothing of Fastify or SQL.
  outbox: ['http', 'cli', 'jobs', 'store/sql', 'store/memory', 'fastify', 'kysely', 'pg', 'better-sqlite3', 'prom-client', 'metrics'],
  // Metrics and probes (prom-client's only home): the database through store/metrics-port.ts, deliveries through the dispatcher's observer.
  metrics: ['cli', 'domain', 'store/sql', 'store/memory', 'jobs', 'routing', 'notifications', 'kysely', 'pg', 'better-sqlite3'],
  // Scheduled jobs reach data through the ports; a job that needs the process (the dispatcher) gets a callback.
  jobs: ['http', 'cli', 'finch', 'routing', 'notifications', 'store/sql', 'store/memory', 'fastify', 'kysely', 'pg', 'better-sqlite3'],
  // The router (automatic assignment's loop) reaches data through the ports; the rules are the domain's (domain/routing/).
  routing: ['http', 'cli', 'finch', 'jobs', 'notifications', 'store/sql', 'store/memory', 'fastify', 'kysely', 'pg', 'better-sqlite3'],
  // The notification sender reaches data through the ports and the world over SMTP and HTTP (the outbox's network rule).
  notifications: ['http', 'cli', 'finch', 'jobs', 'routing', 'store/sql', 'store/memory', 'fastify', 'kysely', 'pg', 'better-sqlite3'],
  // The emulator and the checker speak only the contract to a helpdesk, so they work against any.
  // The emulator is a Fastify server of its own and shares the edge's helpers (problem JSON, body
  // parsing, graceful close), never Finch's stores or dispatcher.
  emulator: ['cli', 'store', 'store/sql', 'store/memory', 'outbox', 'conformance', 'finch', 'kysely', 'pg'],
  // Tracing (the SDK's start, the Fastify plugin, span helpers) knows nothing of Finch's parts: they call it.
  telemetry: ['domain', 'contract', 'http', 'cli', 'client', 'store', 'store/sql', 'store/memory', 'outbox', 'jobs', 'routing', 'notifications', 'finch'],
  conformance: ['domain', 'http', 'cli', 'store', 'store/sql', 'store/memory', 'outbox', 'emulator', 'finch', 'fastify', 'kysely', 'pg', 'better-sqlite3'],
};

describe('architecture', () => {
  const files = sources(SRC);

  it.each(Object.entries(FORBIDDEN))('%s imports none of what it must not', (part, forbidden) => {
    const offending = files
      .filter((file) => path.relative(SRC, file).startsWith(`${part}/`))
      .flatMap((file) => imports(file).map((specifier) => ({ file: path.relative(SRC, file), specifier, to: target(file, specifier) })))
      // A store may use the domain's types; the port is a store module every part may use.
      .filter(({ to, specifier }) => forbidden.includes(to) && !(to === 'store' && specifier.endsWith('port.js')));
    expect(offending).toEqual([]);
  });

  it('keeps the inbox (web/) on the agent API: every file in every folder of web/src imports only itself, contract types, the plain-text module and its packages', () => {
    const { files: read, violations, intoContract } = webImportViolations(WEB, path.join(SRC, 'contract'));
    expect(violations).toEqual([]);
    expect(intoContract).toBeGreaterThan(0);
    // The rule reads every module there is, nested folders included: a walk that stopped at the top
    // level (as this rule once did) would pass on whatever the folders below import.
    const everyModule = readdirSync(WEB, { recursive: true, encoding: 'utf8' }).filter((name) => /\.tsx?$/.test(name) && !/\.d\.ts$|\.test\.tsx?$/.test(name));
    expect(read.length).toBe(everyModule.length);
    expect(read.filter((file) => path.relative(WEB, file).split(path.sep).length > 1).length).toBeGreaterThan(0);
  });

  it('refuses what the inbox must not import, however deep the folder', () => {
    const found = withFiles(
      {
        'src/contract/agent-api.ts': 'export type A = string;\n',
        'src/contract/plain-text.ts': 'export const plainTextToHtml = (text: string) => text;\n',
        'web/src/App.tsx': "import { ok } from './screen/ok.js';\nimport './styles.css';\n",
        'web/src/screen/ok.ts': [
          "import type { A } from '../../../src/contract/agent-api.js';",
          "import { plainTextToHtml } from '../../../src/contract/plain-text.js';",
          "import { useQuery } from '@tanstack/react-query';",
          "import { createRoot } from 'react-dom/client';",
          "import type { Static } from 'typebox';",
        ].join('\n'),
        'web/src/screen/part/deep/bad.tsx': [
          "import { A } from '../../../../../src/contract/agent-api.js';",
          "import type { Finch } from '../../../../../src/finch.js';",
          "import { Type } from 'typebox';",
          "import { readFileSync } from 'node:fs';",
          "import lodash from 'lodash';",
          "export { helper } from '../../../../elsewhere.js';",
          "const server = import('../../../../../src/http/server.js');",
        ].join('\n'),
      },
      (dir) => webImportViolations(path.join(dir, 'web/src'), path.join(dir, 'src/contract')),
    );
    expect(found.files.length).toBe(3);
    expect(found.violations).toEqual([
      'screen/part/deep/bad.tsx: ../../../../../src/contract/agent-api.js',
      'screen/part/deep/bad.tsx: type ../../../../../src/finch.js',
      'screen/part/deep/bad.tsx: typebox',
      'screen/part/deep/bad.tsx: node:fs',
      'screen/part/deep/bad.tsx: lodash',
      'screen/part/deep/bad.tsx: ../../../../elsewhere.js',
      'screen/part/deep/bad.tsx: ../../../../../src/http/server.js',
    ]);
  });

  it('keeps the plain-text module free of imports, since the browser bundles it', () => {
    expect(imports(path.join(SRC, 'contract/plain-text.ts'))).toEqual([]);
  });

  it('has no import cycles in src or the inbox, type-only imports included', () => {
    const all = [...files, ...sources(WEB, /\.tsx?$/)];
    expect(all.some((file) => file.endsWith('.tsx'))).toBe(true);
    // Every module of the inbox, nested folders included, as the web rule reads them (and proves it does).
    expect(all).toEqual(expect.arrayContaining(webImportViolations(WEB, path.join(SRC, 'contract')).files));
    expect(importCycles(all, path.resolve(SRC, '..'))).toEqual([]);
  });

  it('finds an import cycle, also one made only of type imports, across .js specifiers of .ts and .tsx files', () => {
    const cycles = withFiles(
      {
        'a.ts': "import { b } from './b.js';\nexport const a = b;\n",
        'b.ts': 'export const b = 1;\n',
        'c.ts': "import type { D } from './nested/d.js';\nexport type C = { d: D };\n",
        'nested/d.tsx': "import type {\n  C,\n} from '../c.js';\nexport type D = C[];\n",
        'self.ts': "export * from './self.js';\n",
      },
      (dir) => importCycles(sources(dir, /\.tsx?$/), dir),
    );
    expect(cycles.sort()).toEqual([['c.ts', path.join('nested', 'd.tsx')], ['self.ts']]);
  });

  it('keeps the migrations frozen: they import only kysely and migration-only modules beside them', () => {
    expect(migrationImportViolations(MIGRATIONS)).toEqual([]);
    expect(sources(MIGRATIONS).filter((file) => /^\d{4}_/.test(path.basename(file))).length).toBeGreaterThanOrEqual(7);
  });

  it('keeps migration-only modules to the migrations: the rest of src imports only their runner', () => {
    const offending = files
      .filter((file) => !file.startsWith(`${MIGRATIONS}${path.sep}`))
      .flatMap((file) => imports(file).map((specifier) => ({ file: path.relative(SRC, file), to: resolveSource(file, specifier) })))
      .filter(({ to }) => to?.startsWith(`${MIGRATIONS}${path.sep}`) && to !== path.join(MIGRATIONS, 'index.ts'));
    expect(offending).toEqual([]);
  });

  it('refuses a migration that imports the live domain, the runner or a package', () => {
    const violations = withFiles(
      {
        'dialect-migration.ts': 'export type DialectMigration = Record<string, string[]>;\n',
        'index.ts': "import { bad } from './0099_bad.js';\nimport { Migrator } from 'kysely';\n",
        '0098_good.ts': "import { sql, type Kysely } from 'kysely';\nimport type { DialectMigration } from './dialect-migration.js';\n",
        '0099_bad.ts': [
          "import type { Kysely } from 'kysely';",
          "import { htmlToText } from '../../../domain/content.js';",
          "import type { DialectMigration } from './index.js';",
          "import sanitizeHtml from 'sanitize-html';",
          "import { gone } from './missing.js';",
        ].join('\n'),
      },
      migrationImportViolations,
    );
    expect(violations).toEqual([
      '0099_bad.ts: ../../../domain/content.js',
      '0099_bad.ts: ./index.js',
      '0099_bad.ts: sanitize-html',
      '0099_bad.ts: ./missing.js',
    ]);
  });

  it('lets the bench reach the test harness only through bench/lib/test-harness.ts, whose modules need no test framework', () => {
    const bench = path.resolve(SRC, '../bench');
    const test = path.resolve(SRC, '../test');
    const door = path.join(bench, 'lib/test-harness.ts');
    const intoTests = (file: string) =>
      imports(file)
        .map((specifier) => resolveSource(file, specifier))
        .filter((to): to is string => to?.startsWith(`${test}${path.sep}`) === true);
    const benchFiles = sources(bench);
    expect(benchFiles).toContain(door);
    expect(benchFiles.filter((file) => file !== door && intoTests(file).length > 0).map((file) => path.relative(bench, file))).toEqual([]);
    const harness = intoTests(door);
    expect(harness.length).toBeGreaterThan(0);
    // What the bench runs must work outside a test run: no vitest, and nothing else of test/.
    const pulledIn = harness.flatMap((file) =>
      imports(file)
        .filter((specifier) => specifier.startsWith('vitest') || intoTests(file).length > 0)
        .map((specifier) => `${path.relative(test, file)}: ${specifier}`),
    );
    expect(pulledIn).toEqual([]);
  });

  it('lets jobs take only the Clock from the outbox, never the dispatcher', () => {
    const fromOutbox = files
      .filter((file) => path.relative(SRC, file).startsWith('jobs/'))
      .flatMap((file) =>
        imports(file)
          .filter((specifier) => target(file, specifier) === 'outbox')
          .map((specifier) => path.relative(SRC, path.resolve(path.dirname(file), specifier))),
      );
    expect(fromOutbox.filter((to) => to !== 'outbox/clock.js')).toEqual([]);
    expect(files.some((file) => path.relative(SRC, file).startsWith('jobs/'))).toBe(true);
  });

  it('finds the imports it checks', () => {
    expect(imports(path.join(SRC, 'http/server.ts'))).toContain('fastify');
    expect(files.length).toBeGreaterThan(30);
  });
});
