/**
 * Starts the OpenTelemetry Node SDK for this process, when tracing is configured (configured.ts):
 * traces over OTLP, with the HTTP (node:http server and client), Fastify (@fastify/otel) and `pg`
 * instrumentations. Loaded by the `finch` command (src/cli/main.ts) with a dynamic import, before
 * the command's own modules, and only when configured.
 *
 * Everything else comes from the standard variables, read by the SDK itself: the endpoint, the
 * protocol (`OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`: http/protobuf by
 * default, http/json, grpc), headers, timeouts, sampling (`OTEL_TRACES_SAMPLER`), the resource
 * (`OTEL_RESOURCE_ATTRIBUTES`) and `OTEL_SERVICE_NAME` (Finch's default: `finch`).
 */
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { register } from 'node:module';
import { ExportHealth, endpointProblem, protocolProblem } from './export-health.js';
import { pgSpanName, traceablePath, traceableQuery, withoutErrorMessages } from './traceable.js';

/** The probes' and the scrape's paths (`/health`, `/health/live`, `/health/ready`, `/metrics`), with or without a query. */
const PROBES = /^\/(?:health(?:\/live|\/ready)?|metrics)(?:$|\?)/;

/** How long a process waits for its last spans to be exported when it ends. */
export const SHUTDOWN_TIMEOUT_MS = 2000;
/** How long after SIGTERM or SIGINT a process still held (by a hung export) flushes and exits: `finch start`'s drain, 10 s. */
const STOP_GRACE_MS = 10_000;

export interface TracingOptions {
  /** The variables to read (the process's by default). */
  env?: NodeJS.ProcessEnv;
  /**
   * A request URL as it may be recorded (src/http/logging.ts's `loggableUrl`: a signed file URL
   * without its query, secret-looking query values censored). Spans carry the request's path and
   * query, and they must no more carry a secret than a log line.
   */
  loggableUrl: (url: string) => string;
}

export interface Tracing {
  /** Exports what is buffered and stops the SDK; resolves within `SHUTDOWN_TIMEOUT_MS` whatever the collector does. */
  shutdown(): Promise<void>;
}

/**
 * Starts tracing. ESM modules are patched through import-in-the-middle, whose loader hook must be
 * registered before `pg` and Fastify are imported: so this runs before the command's module is
 * loaded, and loads the SDK itself with dynamic imports after the hook is in place.
 *
 * Never throws: a tracing setup that fails (an endpoint that is no http(s) URL, say) is reported
 * on standard error in one line and the command runs untraced, since traces are an aid, not the
 * service. An unknown protocol is said in one line too; the SDK then sends http/protobuf. Exports
 * that fail later are said once, and once more when they work again (export-health.ts).
 */
export async function startTracing(options: TracingOptions): Promise<Tracing | undefined> {
  const { env = process.env, loggableUrl } = options;
  const say = (line: string) => void process.stderr.write(`${line}\n`);
  const endpoint = endpointProblem(env);
  if (endpoint) {
    say(`finch: tracing is off: ${endpoint}`);
    return undefined;
  }
  const protocol = protocolProblem(env);
  if (protocol) say(protocol);
  try {
    // Only the modules an instrumentation patches are wrapped: the hook costs every other import nothing.
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
      data: { include: ['pg', 'pg-pool', 'http', 'https', 'node:http', 'node:https'] },
    });
    // Finch's default name, unless the operator named the service (OTEL_SERVICE_NAME wins over
    // OTEL_RESOURCE_ATTRIBUTES' service.name, so it is set only when neither is).
    if (!env.OTEL_SERVICE_NAME && !/(?:^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '')) env.OTEL_SERVICE_NAME = 'finch';
    const [{ NodeSDK }, { HttpInstrumentation }, { PgInstrumentation }, { FastifyOtelInstrumentation }, { useFastifyTracing }, { useTracingShutdown }] =
      await Promise.all([
        import('@opentelemetry/sdk-node'),
        import('@opentelemetry/instrumentation-http'),
        import('@opentelemetry/instrumentation-pg'),
        import('@fastify/otel'),
        import('./fastify.js'),
        import('./stop.js'),
      ]);
    const fastify = new FastifyOtelInstrumentation({
      // Probes and scrapes are left out here as in the HTTP instrumentation below.
      ignorePaths: (route) => PROBES.test(route.url),
      // Its request span records the whole request target as `url.path`; the path is the path (the
      // conventions'), and the query, kept as a span may keep it, is on the HTTP server span.
      requestHook: (span, request) => {
        if (request.url.includes('?')) span.setAttribute('url.path', traceablePath(request.url));
        withoutErrorMessages(span);
      },
      // A thrown error's message (and its exception event's) may quote what the caller sent: the
      // request and handler spans keep that they failed, not why (traceable.ts).
      lifecycleHook: (span) => withoutErrorMessages(span),
      recordExceptions: false,
      // A span per hook per request (eight or more on the Fin API) is noise, and an anonymous hook's
      // span is named after its source text. The request's and the handler's spans stay.
      instrumentHooks: false,
    });
    const sdk = new NodeSDK({
      instrumentations: [
        new HttpInstrumentation({
          // Probes and scrapes every few seconds would drown the traces that matter.
          ignoreIncomingRequestHook: (request) => PROBES.test(request.url ?? ''),
          // The server span's `url.query` as a span may carry it (traceable.ts: no secret, no end
          // user's id or words; the instrumentation redacts only a few cloud providers' parameters by
          // name); the hook's attributes replace the instrumentation's.
          startIncomingSpanHook: (request) => {
            const query = traceableQuery(request.url ?? '', loggableUrl);
            return query === undefined ? {} : { 'url.query': query };
          },
        }),
        // requireParentSpan: a query outside any request or job span (the dispatcher's claim every
        // second) would be a trace of its own, thousands an hour of one statement each.
        new PgInstrumentation({
          requireParentSpan: true,
          // A span per pool checkout doubled a request's pg spans and says little: a slow checkout
          // shows as the gap before the query's span.
          ignoreConnectSpans: true,
          // Named after the SQL command, not the prepared statement's hash (traceable.ts).
          requestHook: (span, { query, connection }) => span.updateName(pgSpanName(query.text, connection.database)),
        }),
        fastify,
      ],
      // Finch's metrics are Prometheus's (/metrics) and its logs are JSON lines on standard output:
      // the SDK exports only traces unless the standard variables ask for more.
      ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
      ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
    });
    sdk.start();
    watchExports(new ExportHealth(say));
    useFastifyTracing(fastify.plugin());
    const tracing = endWithProcess(sdk);
    // A command's explicit end: once the flush is done (or given up), nothing is left to do, and an
    // export that never ends (its timer is referenced) must not hold the process until STOP_GRACE_MS.
    useTracingShutdown(() => tracing.shutdown().then(() => void setImmediate(() => process.exit())));
    return tracing;
  } catch (error) {
    process.stderr.write(`finch: tracing is off: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
}

/**
 * The exporter's requests, told apart by the User-Agent the OTLP specification has every exporter
 * send (`OTel-OTLP-Exporter-JavaScript/…`), seen through node:http's diagnostics channels: their
 * outcomes go to `health` (a 2xx answer is a success; another status or an error, a failure), and
 * their connections are unreferenced.
 *
 * The connections are unreferenced, like a timer that must not keep a process alive: a
 * collector that takes a request and never answers would otherwise hold a stopped Finch until the
 * exporter's timeout (OTEL_EXPORTER_OTLP_TIMEOUT, 10 s by default), and 'beforeExit', where the
 * last spans are flushed within a bound, would never come.
 *
 * The gRPC exporter (http2) is not seen: its failures are the SDK's to report (OTEL_LOG_LEVEL).
 */
function watchExports(health: ExportHealth): void {
  const isExport = (request: ClientRequest) => String(request.getHeader('user-agent') ?? '').includes('OTel-OTLP-Exporter-');
  // Where the spans go, without credentials (a URL's user and password go in a header, not here).
  const target = (request: ClientRequest) => `${request.protocol}//${String(request.getHeader('host') ?? request.host)}${request.path}`;
  subscribe('http.client.request.start', (message) => {
    const request = (message as { request: ClientRequest }).request;
    if (!isExport(request)) return;
    // On every use: an agent references a kept-alive socket again when it reuses it.
    request.on('socket', (socket) => socket.unref());
  });
  subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    if (!isExport(request)) return;
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) health.succeeded();
    else health.failed(target(request), `the collector answered ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`);
  });
  subscribe('http.client.request.error', (message) => {
    const { request, error } = message as { request: ClientRequest; error: Error };
    if (!isExport(request)) return;
    health.failed(target(request), error.message || error.name);
  });
}

/**
 * The SDK shut down (its last spans exported) when the process ends, within `SHUTDOWN_TIMEOUT_MS`
 * whatever the collector does:
 *
 * - when the command calls `stopTracing()` (stop.ts) after stopping its own work;
 * - else when the process has nothing left to do ('beforeExit'): after a command returns, or after
 *   `finch start`/`finch worker` have stopped on SIGTERM or SIGINT and closed everything;
 * - else, should an export that never ends hold the process (the batch processor's export timer,
 *   OTEL_BSP_EXPORT_TIMEOUT, 30 s by default, is a referenced timer), `STOP_GRACE_MS` after the
 *   signal: by then `finch start` has drained its requests or given up on them (its own 10 s grace).
 */
function endWithProcess(sdk: { shutdown(): Promise<void> }): Tracing {
  let ended: Promise<void> | undefined;
  const shutdown = () => {
    ended ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS);
      sdk.shutdown().then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          process.stderr.write(`finch: the last traces were not exported: ${error instanceof Error ? error.message : String(error)}\n`);
          resolve();
        },
      );
    });
    return ended;
  };
  // Exits after the flush: an export still under way would otherwise keep the process alive.
  const shutdownAndExit = () => void shutdown().then(() => process.exit());
  process.once('beforeExit', shutdownAndExit);
  const afterSignal = (signal: NodeJS.Signals) => {
    // A command that does not handle the signal (`finch check`) ends as it would untraced, after the flush.
    if (process.listenerCount(signal) === 0) {
      void shutdown().then(() => process.kill(process.pid, signal));
      return;
    }
    // Unreferenced: it fires only if something still holds the process by then.
    setTimeout(shutdownAndExit, STOP_GRACE_MS).unref();
  };
  process.once('SIGTERM', afterSignal);
  process.once('SIGINT', afterSignal);
  return { shutdown };
}
