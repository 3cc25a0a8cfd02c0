/**
 * The import rules of ARCHITECTURE.md, checked: dependencies point inward (HTTP edge → domain →
 * port), and the contract and domain stay free of Fastify, SQL and the web.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [full] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
}

/** Where an import lands: a part of src (e.g. `domain`, `store/sql`) or a package name. */
function target(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier.startsWith('node:') ? 'node' : specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
  const resolved = path.relative(SRC, path.resolve(path.dirname(file), specifier));
  return resolved.startsWith('store/sql') ? 'store/sql' : resolved.startsWith('store/memory') ? 'store/memory' : resolved.split('/')[0]!.replace(/\.js$/, '');
}

const FORBIDDEN: Record<string, string[]> = {
  contract: ['domain', 'store', 'store/sql', 'store/memory', 'http', 'cli', 'client', 'finch', 'fastify', 'kysely', 'pg', 'better-sqlite3'],
  // The domain reaches data through the port only.
  domain: ['http', 'cli', 'client', 'finch', 'store', 'store/sql', 'store/memory', 'fastify', 'kysely', 'pg', 'better-sqlite3', '@fastify/swagger'],
  'store/memory': ['http', 'cli', 'store/sql', 'fastify', 'kysely'],
  'store/sql': ['http', 'cli', 'store/memory', 'fastify'],
  client: ['domain', 'store', 'store/sql', 'store/memory', 'http', 'cli', 'fastify', 'kysely'],
  http: ['cli', 'store/sql', 'kysely', 'pg', 'better-sqlite3', 'outbox'],
  // The dispatcher reaches data through the ports and Fin over HTTP; it knows nothing of Fastify or SQL.
  outbox: ['http', 'cli', 'store/sql', 'store/memory', 'fastify', 'kysely', 'pg', 'better-sqlite3'],
  // The emulator and the checker speak only the contract to a helpdesk, so they work against any.
  // The emulator is a Fastify server of its own and shares the edge's helpers (problem JSON, body
  // parsing, graceful close), never Finch's stores or dispatcher.
  emulator: ['cli', 'store', 'store/sql', 'store/memory', 'outbox', 'conformance', 'finch', 'kysely', 'pg'],
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

  it('keeps the inbox (web/) on the agent API: only type imports of the contract from src, and its dependency-free plain-text module', () => {
    const web = path.resolve(SRC, '../web/src');
    const intoSrc = readdirSync(web)
      .filter((name) => /\.tsx?$/.test(name))
      .flatMap((name) =>
        [...readFileSync(path.join(web, name), 'utf8').matchAll(/^(import(?:\s+type)?)[^'"]*?from\s+['"]([^'"]*\/src\/[^'"]*)['"]/gm)].map(([statement, kind, specifier]) => ({
          statement: `${name}: ${statement}`,
          allowed: specifier!.includes('/src/contract/') && (kind === 'import type' || specifier!.endsWith('/src/contract/plain-text.js')),
        })),
      );
    expect(intoSrc.length).toBeGreaterThan(0);
    expect(intoSrc.filter((found) => !found.allowed).map((found) => found.statement)).toEqual([]);
  });

  it('keeps the plain-text module free of imports, since the browser bundles it', () => {
    expect(imports(path.join(SRC, 'contract/plain-text.ts'))).toEqual([]);
  });

  it('finds the imports it checks', () => {
    expect(imports(path.join(SRC, 'http/server.ts'))).toContain('fastify');
    expect(files.length).toBeGreaterThan(30);
  });
});
