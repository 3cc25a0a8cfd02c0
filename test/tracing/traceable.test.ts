/**
 * What a span may carry of a URL and a query's name, and how export trouble is said: the rules of
 * src/telemetry/traceable.ts and export-health.ts, on their own.
 */
import { describe, expect, it } from 'vitest';
import { loggableUrl } from '../../src/http/logging.js';
import { ExportHealth, endpointProblem, protocolProblem } from '../../src/telemetry/export-health.js';
import { pgSpanName, traceablePath, traceableQuery } from '../../src/telemetry/traceable.js';

describe('a URL in a span', () => {
  it.each([
    ['/api/fin/user?user_id=pat%40example.com', 'user_id=[redacted]'],
    ['/api/fin/user?email=pat@example.com', 'email=[redacted]'],
    ['/api/fin/messages?conversation_id=c_1&after_id=m_2', 'conversation_id=c_1&after_id=m_2'],
    ['/api/v1/conversations?q=my+card+number&status=open&limit=5', 'q=[redacted]&status=open&limit=5'],
    ['/api/fin/agents?access_token=fat_secret', 'access_token=[redacted]'],
    ['/files/f_1/a.txt?expires=1&signature=abc', '[redacted]'],
    ['/api/fin/agents?flag', 'flag'],
    ['/api/fin/agents', undefined],
  ])('%s → url.query %s', (url, query) => {
    expect(traceableQuery(url, loggableUrl)).toBe(query);
  });

  it('has a path without its query', () => {
    expect(traceablePath('/api/fin/user?user_id=pat@example.com')).toBe('/api/fin/user');
    expect(traceablePath('/api/fin/agents')).toBe('/api/fin/agents');
  });
});

describe('a pg span name', () => {
  it.each([
    ['select "id" from "conversations" where "id" = $1', 'finch', 'pg.query:SELECT finch'],
    ['  insert into "messages" values ($1)', 'finch', 'pg.query:INSERT finch'],
    ['COMMIT;', undefined, 'pg.query:COMMIT'],
    ['', 'finch', 'pg.query:unknown finch'],
  ])('%s on %s → %s', (text, database, name) => {
    expect(pgSpanName(text, database)).toBe(name);
  });
});

describe('export health', () => {
  it('says a failure once and the recovery once', () => {
    const lines: string[] = [];
    const health = new ExportHealth((line) => lines.push(line));
    health.succeeded();
    health.failed('http://collector:4318/v1/traces', 'connect ECONNREFUSED');
    health.failed('http://collector:4318/v1/traces', 'connect ECONNREFUSED');
    health.failed('http://collector:4318/v1/traces', 'the collector answered 500');
    health.succeeded();
    health.succeeded();
    health.failed('http://collector:4318/v1/traces', 'the collector answered 503');
    expect(lines).toEqual([
      'finch: traces are not being exported to http://collector:4318/v1/traces: connect ECONNREFUSED (spans are dropped; one line follows when exports work again)',
      'finch: traces are exported again',
      'finch: traces are not being exported to http://collector:4318/v1/traces: the collector answered 503 (spans are dropped; one line follows when exports work again)',
    ]);
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://user:pw@vendor.example' }, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'garbage' }, 'OTEL_EXPORTER_OTLP_ENDPOINT is not an http:// or https:// URL'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT is not an http:// or https:// URL'],
    // The traces variable wins, so only it is judged.
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces', OTEL_EXPORTER_OTLP_ENDPOINT: 'garbage' }, undefined],
    [
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://tempo', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is not an http:// or https:// URL',
    ],
  ] as [NodeJS.ProcessEnv, string | undefined][])('endpoint %o → %s', (env, problem) => {
    expect(endpointProblem(env)).toBe(problem);
  });

  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, false],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, false],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: '  ' }, false],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' }, false],
    [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'json' }, true],
  ] as [NodeJS.ProcessEnv, boolean][])('protocol %o → said: %s', (env, said) => {
    expect(protocolProblem(env) !== undefined).toBe(said);
  });
});
