/**
 * Tracing's switches and its place in the code: on only with a standard OTLP endpoint variable and
 * without OTEL_SDK_DISABLED=true; the SDK and its instrumentations loaded by src/telemetry/tracing.ts
 * alone (itself loaded only when tracing is on), so no other module pays for them.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tracingConfigured } from '../../src/telemetry/configured.js';

const SRC = path.resolve(import.meta.dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : /\.ts$/.test(name) ? [full] : [];
  });
}

describe('tracingConfigured', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, false],
    // Other OTEL settings alone do not turn tracing on.
    [{ OTEL_SERVICE_NAME: 'helpdesk', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: ' TRUE ' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'false' }, true],
  ] as [NodeJS.ProcessEnv, boolean][])('%o → %s', (env, on) => {
    expect(tracingConfigured(env)).toBe(on);
  });
});

describe('where the SDK is loaded', () => {
  it('only src/telemetry/tracing.ts imports the SDK and the instrumentations; cli/main.ts loads it with a dynamic import', () => {
    const sdk =
      /from\s+['"](?:@opentelemetry\/(?:sdk-|exporter-|instrumentation)[^'"]*|@fastify\/otel)['"]|import\(\s*['"](?:@opentelemetry\/(?:sdk-|exporter-|instrumentation)[^'"]*|@fastify\/otel)['"]\s*\)/;
    const importing = sources(SRC)
      .filter((file) => sdk.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SRC, file));
    expect(importing).toEqual(['telemetry/tracing.ts']);
    const tracing = readFileSync(path.join(SRC, 'telemetry/tracing.ts'), 'utf8');
    // Nothing of the SDK at the top: the loader hook is registered before any of it loads.
    expect(tracing).not.toMatch(/^import\s[^;]*from\s+['"]@(?:opentelemetry|fastify)\//m);
    const main = readFileSync(path.join(SRC, 'cli/main.ts'), 'utf8');
    expect(main).not.toMatch(/^import[^;]*telemetry\/tracing/m);
    expect(main).toContain("await import('../telemetry/tracing.js')");
  });
});
