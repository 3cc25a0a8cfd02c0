/**
 * The end of tracing, for code that must not load the SDK to reach it: tracing.ts leaves its
 * shutdown here when it starts, and a command that has stopped its own work calls `stopTracing()`.
 */

let shutdown: (() => Promise<void>) | undefined;

/** Called by tracing.ts once the SDK runs. */
export function useTracingShutdown(stop: () => Promise<void>): void {
  shutdown = stop;
}

/**
 * Exports the spans still buffered and stops the SDK, within a bound (2 s: `SHUTDOWN_TIMEOUT_MS` of
 * tracing.ts) whatever the collector does, then ends the process (with its exit code): an export
 * that never ends must not hold it. Resolves at once, and ends nothing, when this process does not
 * trace. Call it last, once the command's own work has stopped, so the spans of that work are sent.
 */
export async function stopTracing(): Promise<void> {
  await shutdown?.();
}
