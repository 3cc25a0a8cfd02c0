import v8 from 'node:v8';

/**
 * How far, in percent, a long-running Finch process (`finch start`, `finch worker`) lets V8's old
 * generation grow past what survived the last full collection before it collects again.
 *
 * Why set it at all: on a machine with memory to spare V8 allows a factor of up to 4 (300 %). Under
 * a steady load Finch keeps about 60 MB alive and promotes short-lived request objects into the old
 * generation all along, so the heap climbed to about four times that before each full collection
 * and the process's RSS swung by 100–140 MB in a cycle of a minute or two (bench/README.md,
 * "soak.ts"). 30 % is V8's own "conservative" factor, the one it picks itself when memory is short;
 * it keeps the swing to tens of megabytes for a little more collection work (docs/decisions.md,
 * "The heap's growth between full collections").
 */
export const HEAP_GROWTH_PERCENT = 30;

/** Node's option for the same V8 setting; an operator who gives it keeps their own value. */
const OPTION = '--heap-growing-percent';

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
  if (execArgv.some((arg) => arg === OPTION || arg.startsWith(`${OPTION}=`))) return undefined;
  v8.setFlagsFromString(`${OPTION}=${HEAP_GROWTH_PERCENT}`);
  return HEAP_GROWTH_PERCENT;
}
