/**
 * Finch's own spans, over @opentelemetry/api only: without a started SDK the API's tracer makes
 * non-recording spans, so code that makes spans costs next to nothing when tracing is off.
 * Attribute names are Finch's (`fin.*`) where OpenTelemetry's semantic conventions have none, the
 * conventions' (`http.response.status_code`, `error.type`) where they do.
 */
import { type Attributes, type Span, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';

/** The instrumentation scope of every span Finch makes itself. */
export const TRACER_NAME = 'finch';

export function finchTracer() {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Runs `work` inside a new active span called `name` (its children, such as an HTTP client or a
 * `pg` span, nest under it) and ends the span when `work` settles. A thrown error is recorded and
 * marks the span as failed, then rethrown.
 */
export async function inSpan<T>(name: string, options: { kind?: SpanKind; attributes?: Attributes }, work: (span: Span) => Promise<T>): Promise<T> {
  return finchTracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks `span` as failed by `error` (its message as the status, the exception as an event). */
export function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** Runs `work` with `span` as the active span (for a span started earlier, in a hook). */
export function withActiveSpan<T>(span: Span, work: () => T): T {
  return context.with(trace.setSpan(context.active(), span), work);
}

/**
 * The ids of the active span, as a log line carries them (`trace_id`, `span_id`, lowercase hex), or
 * nothing outside a span (and always when tracing is off: no context manager is registered).
 */
export function activeTraceIds(): { trace_id: string; span_id: string } | Record<string, never> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const ids = span.spanContext();
  if (!trace.isSpanContextValid(ids)) return {};
  return { trace_id: ids.traceId, span_id: ids.spanId };
}

export { SpanKind, SpanStatusCode, type Span };
