/**
 * Finch's long-running processes set how far V8's heap grows between full collections
 * (src/cli/heap-growth.ts, docs/decisions.md): V8 applies the setting made at run time from the next
 * full collection, as its own GC trace shows; a `--heap-growing-percent` given to node wins; and
 * `finch start` and `finch worker` both apply it and say so in their log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HEAP_GROWTH_PERCENT } from '../../src/cli/heap-growth.js';
import { exitWithin, killAll, launch, launchFinch, processesUsing, ROOT } from './processes.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) killAll(processesUsing(dir));
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A program that applies the setting as `finch start` does (from the build), then keeps half a
 * million objects alive among millions that die, so V8 runs several full collections.
 */
const PROGRAM = `
const { applyHeapGrowth } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/cli/heap-growth.js')).href)});
console.log('applied: ' + applyHeapGrowth());
const kept = [];
for (let i = 0; i < 4e6; i++) {
  kept.push({ i, text: 'object ' + i });
  if (kept.length > 1e6) kept.splice(0, 5e5);
}
console.log('done');
`;

/**
 * The growing factors V8's trace reports after the program applied its setting. Node 20's V8 prints
 * the factor in use at the end of each new limit ("… new limit: N KB (1.3)"); later ones print it
 * as "factor 1.3 based on …" (before a node option could override it on Node 20, so only the
 * limit's form counts there).
 */
async function factorsAfterApplying(nodeOptions: string[]): Promise<{ applied: string; factors: string[] }> {
  const child = launch(process.execPath, [...nodeOptions, '--trace-gc-verbose', '--input-type=module', '-e', PROGRAM], {});
  await child.waitFor(/^done$/m, 60_000);
  expect(await exitWithin(child, 10_000)).toEqual({ code: 0, signal: null });
  const output = child.output();
  const applied = /^applied: (.*)$/m.exec(output)![1]!;
  const after = output.slice(output.indexOf('applied: '));
  const oldStyle = [...after.matchAll(/\[HeapController\] Limit: old size: \d+ KB, new limit: \d+ KB \((\d+\.\d)\)/g)].map((m) => m[1]!);
  const newStyle = [...after.matchAll(/\[HeapController\] factor (\d+\.\d) based/g)].map((m) => m[1]!);
  return { applied, factors: oldStyle.length > 0 ? oldStyle : newStyle };
}

describe('the heap growth between full collections', () => {
  it(`is ${HEAP_GROWTH_PERCENT} % from the next full collection once applied at run time`, async () => {
    const { applied, factors } = await factorsAfterApplying([]);
    expect(applied).toBe(String(HEAP_GROWTH_PERCENT));
    expect(factors.length).toBeGreaterThan(0);
    expect(new Set(factors)).toEqual(new Set([(1 + HEAP_GROWTH_PERCENT / 100).toFixed(1)]));
  });

  it("is the operator's when node was started with --heap-growing-percent", async () => {
    const { applied, factors } = await factorsAfterApplying(['--heap-growing-percent=50']);
    expect(applied).toBe('undefined');
    expect(factors.length).toBeGreaterThan(0);
    expect(new Set(factors)).toEqual(new Set(['1.5']));
  });

  it.each(['start', 'worker'])('is applied by finch %s, which logs it', async (command) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'finch-heap-'));
    dirs.push(dir);
    const finch = launchFinch([command], { FINCH_DATA_DIR: dir, FINCH_PORT: '0', FINCH_DEMO: 'off', FINCH_LOG_LEVEL: 'info' });
    const line = JSON.parse((await finch.waitFor(/\{[^\n]*"msg":"heap growth between full collections set"[^\n]*\}/))[0]);
    expect(line).toMatchObject({ level: 30, heapGrowthPercent: HEAP_GROWTH_PERCENT });
    // Stopped once it runs (it sets the setting first, before it handles SIGTERM).
    await finch.waitFor(/Finch is running at|finch worker delivering notifications to Fin/);
    finch.child.kill('SIGTERM');
    expect(await exitWithin(finch, 15_000)).toEqual({ code: 0, signal: null });
  });
});
