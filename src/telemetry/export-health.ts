/**
 * Whether traces leave the process, said on standard error: the SDK drops a batch it could not
 * export without a word (its error handler logs only when OTEL_LOG_LEVEL asks), so a wrong or
 * unreachable collector looked exactly like a working one. One line when exports start failing, and
 * one when they work again: not one per batch (every 5 s, OTEL_BSP_SCHEDULE_DELAY), which would
 * drown the logs during a collector's outage. Loads nothing of the SDK.
 */

/** Says when exports start failing and when they work again; at most one line per change. */
export class ExportHealth {
  private failing = false;

  /** `write` takes one line without its newline (standard error's writer in tracing.ts). */
  constructor(private readonly write: (line: string) => void) {}

  /** An export to `target` (a URL without credentials) failed: `reason` is the error or the status. */
  failed(target: string, reason: string): void {
    if (this.failing) return;
    this.failing = true;
    this.write(`finch: traces are not being exported to ${target}: ${reason} (spans are dropped; one line follows when exports work again)`);
  }

  /** An export was accepted. */
  succeeded(): void {
    if (!this.failing) return;
    this.failing = false;
    this.write('finch: traces are exported again');
  }

  /** True between a failure and the next success. */
  get isFailing(): boolean {
    return this.failing;
  }
}

/** The problem with a trace endpoint variable's value, or undefined when it is an http(s) URL. Never quotes the value (it may hold credentials). */
export function endpointProblem(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'] as const) {
    const value = env[name]?.trim();
    if (!value) continue;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      // Reported below.
    }
    if (url?.protocol !== 'http:' && url?.protocol !== 'https:') return `${name} is not an http:// or https:// URL`;
    // The traces variable wins over the general one (the SDK's rule): only the one in use is judged.
    return undefined;
  }
  return undefined;
}

/** The OTLP protocols the SDK knows; any other value makes it send http/protobuf. */
const PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'];

/**
 * A line saying that the protocol asked for is unknown, or undefined when it is known or unset. Read
 * as the SDK 0.222 reads it: the traces variable first, a blank one skipped, the value compared as
 * written (` http/json` is unknown to it too).
 */
export function protocolProblem(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'] as const) {
    const value = env[name];
    if (!value?.trim()) continue;
    if (PROTOCOLS.includes(value)) return undefined;
    return `finch: tracing: ${name} ${JSON.stringify(value.slice(0, 40))} is not one of ${PROTOCOLS.join(', ')}: traces are sent as http/protobuf`;
  }
  return undefined;
}
