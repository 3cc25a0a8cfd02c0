/**
 * Finch's long-running processes set how far V8's heap grows between full collections
 * (src/cli/heap-growth.ts, docs/decisions.md): V8 applies the setting made at run time from the next
 * full collection, as its own GC trace shows; a `--heap-growing-percent` given to node wins; and
 * `finch start` and `finch worker` both apply it and say in their log which value is in effect.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HEAP_GROWTH_PERCENT } from '../../src/cli/heap-growth.js';
import { CLI, exitWithin, killAll, launch, processesUsing, ROOT } from './processes.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) killAll(processesUsing(dir));
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A program that applies the setting as `finch start` does (from the build) when given `apply`,
 * then keeps half a million objects alive among millions that die, so V8 runs several full
 * collections.
 */
const PROGRAM = `
const { applyHeapGrowth } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/cli/heap-growth.js')).href)});
console.log('applied: ' + (process.argv.includes('apply') ? applyHeapGrowth() : 'not asked'));
const kept = [];
for (let i = 0; i < 4e6; i++) {
  kept.push({ i, text: 'object ' + i });
  if (kept.length > 1e6) kept.splice(0, 5e5);
}
console.log('done');
`;

/** Long enough for the program on a slow machine, shorter than the test's own limit. */
const PROGRAM_MS = 60_000;

/**
 * The growing factors in V8's trace of the program's full collections. Node 20's V8 prints the
 * factor in use at the end of each new limit ("[HeapController] Limit: … new limit: N KB (1.3)"),
 * and a "factor … based on" line before the setting is applied, so only the limit's form counts
 * there; later versions print the factor in use as "[HeapController] factor 1.3 based on …".
 * `--max-old-space-size=4096` keeps V8's own ceiling at a factor of 4 on a machine with little
 * memory, where V8 would otherwise itself pick 1.3 and hide whether the setting applied. The trace
 * and the program's own lines reach the pipe through different buffers, so their order is not
 * read: no full collection comes before the program applies the setting.
 */
async function factors(nodeOptions: string[], apply: boolean): Promise<{ applied: string; factors: string[] }> {
  const args = [...nodeOptions, '--max-old-space-size=4096', '--trace-gc-verbose', '--input-type=module', '-e', PROGRAM, ...(apply ? ['apply'] : [])];
  const child = launch(process.execPath, args, {});
  try {
    await child.waitFor(/^done$/m, PROGRAM_MS);
    expect(await exitWithin(child, 10_000)).toEqual({ code: 0, signal: null });
  } finally {
    child.child.kill('SIGKILL');
  }
  const output = child.output();
  const applied = /^applied: (.*)$/m.exec(output)![1]!;
  const limits = [...output.matchAll(/\[HeapController\] Limit: old size: \d+ KB, new limit: \d+ KB \((\d+\.\d)\)/g)].map((m) => m[1]!);
  const based = [...output.matchAll(/\[HeapController\] factor (\d+\.\d) based/g)].map((m) => m[1]!);
  return { applied, factors: limits.length > 0 ? limits : based };
}

const OURS = (1 + HEAP_GROWTH_PERCENT / 100).toFixed(1);

describe('the heap growth between full collections', () => {
  it(`is ${HEAP_GROWTH_PERCENT} % in every full collection once applied at run time`, { timeout: PROGRAM_MS + 30_000 }, async () => {
    const { applied, factors: seen } = await factors([], true);
    expect(applied).toBe(String(HEAP_GROWTH_PERCENT));
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([OURS]));
  });

  it("is V8's own without it (the control: the program does collect, with other factors)", { timeout: PROGRAM_MS + 30_000 }, async () => {
    const { applied, factors: seen } = await factors([], false);
    expect(applied).toBe('not asked');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.some((factor) => factor !== OURS)).toBe(true);
  });

  it.each(['--heap-growing-percent=50', '--heap_growing_percent=50', '-heap-growing-percent=50'])(
    "is the operator's when node was started with %s",
    { timeout: PROGRAM_MS + 30_000 },
    async (option) => {
      const { applied, factors: seen } = await factors([option], true);
      expect(applied).toBe('undefined');
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen)).toEqual(new Set(['1.5']));
    },
  );

  it.each([
    ['start', [], HEAP_GROWTH_PERCENT],
    ['worker', [], HEAP_GROWTH_PERCENT],
    ['start', ['--heap-growing-percent=0'], 'node option'],
  ] as const)('finch %s with node options %j applies and logs heap growth %s', { timeout: 60_000 }, async (command, nodeOptions, logged) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'finch-heap-'));
    dirs.push(dir);
    const finch = launch(process.execPath, [...nodeOptions, CLI, command], {
      FINCH_DATA_DIR: dir,
      FINCH_PORT: '0',
      FINCH_DEMO: 'off',
      FINCH_LOG_LEVEL: 'info',
    });
    const line = JSON.parse((await finch.waitFor(/\{[^\n]*"msg":"heap growth between full collections"[^\n]*\}/))[0]);
    expect(line).toMatchObject({ level: 30, heapGrowthPercent: logged });
    // Stopped once it runs (it sets the setting first, before it handles SIGTERM).
    await finch.waitFor(/Finch is running at|finch worker delivering notifications to Fin/);
    finch.child.kill('SIGTERM');
    expect(await exitWithin(finch, 15_000)).toEqual({ code: 0, signal: null });
  });
});
