/**
 * Whether this process traces, judged from the standard OpenTelemetry environment variables alone
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/): tracing is
 * on when an OTLP endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and `OTEL_SDK_DISABLED` is not `true`. This module loads
 * nothing of the SDK: a process that does not trace never pays for it.
 */

/** True when the environment asks for traces to be exported (see the module comment). */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  // The SDK reads OTEL_SDK_DISABLED case-insensitively, trimmed; so does this.
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}
