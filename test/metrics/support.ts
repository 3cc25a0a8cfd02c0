/**
 * A Finch server with its metrics wired as `finch start` wires them (a registry of its own, the
 * SQL metrics store), over startTestFinch's data; and `/metrics` parsed by a Prometheus
 * text-format parser (parse-prometheus-text-format), with helpers to read one sample.
 */
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { recordFinActivity } from '../../src/finch.js';
import { buildServer, type ServerConfig } from '../../src/http/server.js';
import { FinchMetrics } from '../../src/metrics/finch-metrics.js';
import { SqlMetricsStore } from '../../src/store/sql/sql-metrics-store.js';
import { startTestFinch, type Backend, type TestFinch, type TestFinchOptions } from '../support/finch.js';

/** Every metric docs/metrics.md documents, with its type as the parser reports it. */
export const FINCH_METRICS: Record<string, 'COUNTER' | 'GAUGE' | 'HISTOGRAM'> = {
  finch_http_requests_total: 'COUNTER',
  finch_http_request_duration_seconds: 'HISTOGRAM',
  finch_outbox_pending: 'GAUGE',
  finch_outbox_oldest_pending_seconds: 'GAUGE',
  finch_webhook_deliveries_total: 'COUNTER',
  finch_webhook_delivery_duration_seconds: 'HISTOGRAM',
  finch_conversations_waiting: 'GAUGE',
  finch_handover_wait_seconds: 'GAUGE',
  finch_sse_clients: 'GAUGE',
  finch_db_pool_connections_in_use: 'GAUGE',
  finch_db_pool_connections_idle: 'GAUGE',
  finch_db_pool_waiting: 'GAUGE',
  finch_db_pool_max: 'GAUGE',
  finch_metrics_database_up: 'GAUGE',
};

interface ParsedSample {
  value?: string;
  labels?: Record<string, string>;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}
export interface MetricFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: ParsedSample[];
}

const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => MetricFamily[];

/** A scrape: the families as the parser reads them, and the text (for histograms, below). */
export type Scrape = Map<string, MetricFamily> & { text: string };

/** The exposition parsed; throws (as the parser does) on text that is not the Prometheus format. */
export function parseMetrics(text: string): Scrape {
  return Object.assign(new Map(parse(text).map((family) => [family.name, family])), { text });
}

const matches = (sample: ParsedSample, labels: Record<string, string>) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value);

/** A counter's or gauge's value for `labels` (those given must match), summed over the samples that match; undefined when none does. */
export function sampleOf(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = families.get(name)?.metrics.filter((sample) => matches(sample, labels)) ?? [];
  return found.length === 0 ? undefined : found.reduce((sum, sample) => sum + Number(sample.value), 0);
}

/**
 * A histogram's observation count for `labels` (those given must match), summed over matching
 * series; 0 when none. Read from the `<name>_count` lines of the text: parse-prometheus-text-format
 * 1.1.1 folds a labelled histogram's series into one and drops their labels, counts and sums.
 */
export function countOf(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of scrape.text.split('\n')) {
    const match = new RegExp(`^${name}_count(?:\\{(.*)\\})? (\\S+)$`).exec(line);
    if (!match) continue;
    const found = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1]!, pair[2]!]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) total += Number(match[2]);
  }
  return total;
}

export interface ObservedFinch {
  data: TestFinch;
  app: FastifyInstance;
  metrics: FinchMetrics;
  metricsStore: SqlMetricsStore;
  baseUrl: string;
  /** GET /metrics, parsed (fails the test unless it answers 200). */
  scrape(headers?: Record<string, string>): Promise<Scrape>;
  close(): Promise<void>;
}

export interface ObservedOptions extends TestFinchOptions {
  metricsToken?: string;
  /** Where the observed server listens (127.0.0.1 unless a test needs another address). */
  host?: string;
  readTimeoutMs?: number;
}

/** startTestFinch's data, served by a second server built as `finch start` builds its own: with metrics and their store. */
export async function startObservedFinch(backend: Backend, options: ObservedOptions = {}): Promise<ObservedFinch> {
  const data = await startTestFinch(backend, options);
  const finch = data.finch!;
  const metricsStore = new SqlMetricsStore(finch.database);
  const metrics = new FinchMetrics({ store: metricsStore, ...(options.readTimeoutMs ? { readTimeoutMs: options.readTimeoutMs } : {}) });
  const config: ServerConfig = {
    publicUrl: 'http://127.0.0.1',
    signingSecret: undefined,
    signatureToleranceSeconds: 300,
    tokenTtlSeconds: 3600,
    tokenRateLimitPerMinute: 100_000,
    bodyLimitBytes: 1_048_576,
    logLevel: 'silent',
    loginRateLimit: 1000,
    attachmentLimitBytes: 10_485_760,
    trustProxy: options.trustProxy ?? false,
    metricsToken: options.metricsToken,
  };
  const app = await buildServer(
    config,
    { ...finch, helpdesk: data.helpdesk, recordActivity: recordFinActivity, metrics, metricsStore },
    { logger: false, now: data.clock.now },
  );
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: 0 });
  const { port } = app.server.address() as { port: number };
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    data,
    app,
    metrics,
    metricsStore,
    baseUrl,
    scrape: async (headers = {}) => {
      const response = await fetch(`${baseUrl}/metrics`, { headers });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${text}`);
      return parseMetrics(text);
    },
    close: async () => {
      await app.close();
      await data.close();
    },
  };
}
