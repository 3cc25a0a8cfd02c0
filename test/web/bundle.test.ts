/** The size of the inbox's first load, as built into dist/web. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('the inbox bundle', () => {
  it('loads at most 150 kB of JavaScript (gzip) first', () => {
    const web = path.join(ROOT, 'dist/web');
    const index = readFileSync(path.join(web, 'index.html'), 'utf8');
    const scripts = [
      ...index.matchAll(/<script[^>]+src="\/assets\/([^"]+\.js)"/g),
      ...index.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/assets\/([^"]+\.js)"/g),
    ].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    expect(readdirSync(path.join(web, 'assets'))).toEqual(expect.arrayContaining(scripts));
    const gzipped = scripts.reduce((sum, name) => sum + gzipSync(readFileSync(path.join(web, 'assets', name))).length, 0);
    expect(gzipped).toBeLessThanOrEqual(150 * 1024);
  });
});
