/**
 * Finch's Prometheus metrics (docs/metrics.md lists each): one registry per server or worker,
 * never prom-client's global one, so that several servers in one process (the tests) keep their
 * own counts. The process metrics (CPU, memory, event loop, GC) describe the process, not a
 * server: they live in one registry per process, created on first use, and every scrape appends
 * them. Nothing outside src/metrics/ imports prom-client: the dispatcher reports deliveries through
 * `DeliveryObserver`, the stores through store/metrics-port.ts.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeliveryObserver } from '../outbox/dispatcher.js';
import type { MetricsStore, OperationalReadings } from '../store/metrics-port.js';

/** How long a scrape waits for the database's readings before it answers without them (ms). */
export const DATABASE_READ_TIMEOUT_MS = 2_000;

/** The `api` label: which of Finch's surfaces a request reached. */
export type ApiLabel = 'fin' | 'v1' | 'oauth' | 'web';

/** Seconds: from a fast cached read to the 10 s webhook timeout and the slowest reasonable request. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DELIVERY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];

export interface FinchMetricsOptions {
  /** The database reads; absent (the in-memory store) leaves the database gauges out. */
  store?: MetricsStore | undefined;
  /** Open event streams of this server, read at scrape time. */
  sseClients?: () => number;
  now?: () => Date;
  /** Bounds each scrape's database read (ms); DATABASE_READ_TIMEOUT_MS unless a test needs less. */
  readTimeoutMs?: number;
}

export class FinchMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'api' | 'route' | 'method' | 'status'>;
  readonly httpDuration: Histogram<'api' | 'route' | 'method'>;
  readonly deliveries: Counter<'kind' | 'outcome'>;
  readonly deliveryDuration: Histogram<'kind'>;
  private readonly scrapeOk: Gauge;
  private store: MetricsStore | undefined;
  private readonly now: () => Date;
  private readonly readTimeoutMs: number;
  /** The readings of the scrape in progress, shared by the gauges' collect callbacks. */
  private pendingRead: Promise<OperationalReadings | undefined> | undefined;

  constructor(options: FinchMetricsOptions = {}) {
    this.store = options.store;
    this.now = options.now ?? (() => new Date());
    this.readTimeoutMs = options.readTimeoutMs ?? DATABASE_READ_TIMEOUT_MS;
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: 'finch_http_requests_total',
      help: 'HTTP requests answered, by API (fin, v1, oauth, web), route template, method and status code.',
      labelNames: ['api', 'route', 'method', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'finch_http_request_duration_seconds',
      help: 'Time from a request arriving to its answer being sent, by API, route template and method.',
      labelNames: ['api', 'route', 'method'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.deliveries = new Counter({
      name: 'finch_webhook_deliveries_total',
      help: 'Webhook delivery attempts to Fin by this process, by event kind (sync, typing) and outcome (delivered, retry, dead, expired, disabled).',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.deliveryDuration = new Histogram({
      name: 'finch_webhook_delivery_duration_seconds',
      help: "Time of each webhook delivery attempt to Fin, until Fin's answer or the failure (timeout, refused connection), by event kind.",
      labelNames: ['kind'],
      buckets: DELIVERY_BUCKETS,
      registers,
    });
    let sseClients = options.sseClients ?? (() => 0);
    this.countSseClients = (count) => {
      sseClients = count;
    };
    new Gauge({
      name: 'finch_sse_clients',
      help: 'Event streams (GET /api/v1/events) open on this server now.',
      registers,
      collect() {
        this.set(sseClients());
      },
    });
    const reading = (name: string, help: string, pick: (readings: OperationalReadings) => number) => {
      const read = () => this.read();
      let known = false;
      const gauge = new Gauge({
        name,
        help,
        registers,
        async collect() {
          const readings = await read();
          known = readings !== undefined;
          if (readings) this.set(pick(readings));
        },
      });
      // Unknown (the database did not answer in time): no sample rather than a made-up value
      // (prom-client always shows an unlabelled gauge, 0 after a reset). `get` runs `collect` first.
      const get = gauge.get.bind(gauge);
      gauge.get = async () => {
        const metric = await get();
        return known ? metric : { ...metric, values: [] };
      };
    };
    reading(
      'finch_outbox_pending',
      'Notifications to Fin not yet delivered or given up (pending or being delivered), in the whole database.',
      (r) => r.outboxPending,
    );
    reading(
      'finch_outbox_oldest_pending_seconds',
      'Age of the oldest notification to Fin not yet delivered, in seconds; 0 when none is pending.',
      (r) => r.outboxOldestPendingSeconds,
    );
    reading('finch_conversations_waiting', 'Open conversations held by nobody (the Waiting queue), in the whole database.', (r) => r.conversationsWaiting);
    reading(
      'finch_handover_wait_seconds',
      'How long the longest-waiting conversation of the Waiting queue has waited for a person, in seconds; 0 when none waits.',
      (r) => r.oldestWaitingSeconds,
    );
    const scrapeOk = new Gauge({
      name: 'finch_metrics_database_up',
      help: "1 when this scrape read the database's gauges, 0 when the database did not answer in time (those gauges are then absent).",
      registers,
    });
    this.scrapeOk = scrapeOk;
    const pool = (state: 'inUse' | 'idle' | 'waiting' | 'max') => () => this.store?.pool()[state];
    // Before the database is open (a worker waiting for it) the pool is unknown: no sample, as for
    // the readings above, rather than prom-client's 0 (a "pool size 0" that is not true).
    const poolGauge = (name: string, help: string, value: () => number | undefined) => {
      const gauge = new Gauge({
        name,
        help,
        registers,
        collect() {
          const current = value();
          if (current === undefined) this.reset();
          else this.set(current);
        },
      });
      const get = gauge.get.bind(gauge);
      gauge.get = async () => {
        const metric = await get();
        return value() === undefined ? { ...metric, values: [] } : metric;
      };
    };
    poolGauge(
      'finch_db_pool_connections_in_use',
      'Database connections of this process in use now (PostgreSQL: checked out of the pool; SQLite: 1 while a transaction holds its one connection).',
      pool('inUse'),
    );
    poolGauge('finch_db_pool_connections_idle', 'Database connections of this process open and free now.', pool('idle'));
    poolGauge(
      'finch_db_pool_waiting',
      'Queries of this process waiting for a database connection (PostgreSQL; always 0 on SQLite, whose waiters are not counted).',
      pool('waiting'),
    );
    poolGauge('finch_db_pool_max', 'The pool size: FINCH_DB_POOL_SIZE on PostgreSQL, 1 on SQLite.', pool('max'));
  }

  /** Where `finch_sse_clients` is read from (the HTTP hook, once the server exists). */
  readonly countSseClients: (count: () => number) => void;

  /** Sets the database reads once they exist (a server built before its stores). */
  useStore(store: MetricsStore): void {
    this.store = store;
  }

  /** Counts one delivery attempt (the dispatcher's observer). */
  readonly observer: DeliveryObserver = (attempt) => {
    this.deliveries.inc({ kind: attempt.kind, outcome: attempt.outcome });
    this.deliveryDuration.observe({ kind: attempt.kind }, attempt.durationSeconds);
  };

  /**
   * The whole exposition: this registry's metrics, then the process's. The database is read once
   * per scrape, bounded by the read timeout: a database that is down or slow leaves its gauges
   * out (and `finch_metrics_database_up` 0) instead of holding or failing the scrape.
   */
  async exposition(): Promise<string> {
    this.pendingRead = this.readOnce();
    try {
      const readings = await this.pendingRead;
      if (this.store) this.scrapeOk.set(readings ? 1 : 0);
      else this.scrapeOk.reset();
      const own = await this.registry.metrics();
      return `${own}\n${await processRegistry().metrics()}`;
    } finally {
      this.pendingRead = undefined;
    }
  }

  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;

  private read(): Promise<OperationalReadings | undefined> {
    return this.pendingRead ?? this.readOnce();
  }

  private async readOnce(): Promise<OperationalReadings | undefined> {
    if (!this.store) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.readTimeoutMs);
    });
    try {
      return await Promise.race([this.store.readings(this.now()).catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

let processMetrics: Registry | undefined;

/** prom-client's default metrics of this process, in a registry of their own (one per process, made once). */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}
