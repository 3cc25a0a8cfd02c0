import v8 from 'node:v8';

/**
 * How far, in percent, a long-running Finch process (`finch start`, `finch worker`) lets V8's old
 * generation grow past what survived the last full collection before it collects again.
 *
 * Why set it at all: on a machine with memory to spare V8 allows a factor of up to 4 (300 %). Under
 * a steady load Finch keeps about 60 MB alive and promotes short-lived request objects into the old
 * generation all along, so the heap grew to as much as three and a half times that between full
 * collections (227 MB in one run) and the process's RSS swung by up to 140 MB (bench/README.md, "soak.ts"). 30 % is
 * V8's own "conservative" factor, the one it picks itself when memory is short: in the same soak
 * the server's RSS stayed within 167–174 MB over ten minutes (and 163–172 MB over thirty), for
 * about 5 % more CPU per operation in Finch's processes in one pair of runs (docs/decisions.md,
 * "The heap's growth between full collections").
 */
export const HEAP_GROWTH_PERCENT = 30;

/** V8's name for the setting; an operator who gives it to node keeps their own value. */
const OPTION = 'heap-growing-percent';

/**
 * Applies {@link HEAP_GROWTH_PERCENT} to this process's V8 heap, unless Node was started with its
 * own `--heap-growing-percent` (`node --heap-growing-percent=0 …` restores V8's own heuristic;
 * Node does not accept the option in NODE_OPTIONS). V8 reads the setting at every full
 * collection, so it applies from the next one.
 *
 * @param execArgv Node's own options for this process (`process.execArgv`).
 * @returns the percent Finch set, or `undefined` when the operator's option applies.
 */
export function applyHeapGrowth(execArgv: readonly string[] = process.execArgv): number | undefined {
  // V8 takes its options with one dash or two, and with dashes or underscores alike
  // (-heap_growing_percent=50); an int option needs its value after `=` (node refuses it apart).
  if (execArgv.some((arg) => arg.split('=')[0]!.replace(/^--?/, '').replaceAll('_', '-') === OPTION)) return undefined;
  v8.setFlagsFromString(`--${OPTION}=${HEAP_GROWTH_PERCENT}`);
  return HEAP_GROWTH_PERCENT;
}
