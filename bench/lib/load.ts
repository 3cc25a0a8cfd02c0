/**
 * Closed-loop load with autocannon: a fixed number of connections, each sending its next request
 * as soon as the previous answer arrives, so requests/s is the most the server answers and the
 * latencies are those at that load.
 */
import autocannon from 'autocannon';
import { CpuMeter, type CpuUse } from './cpu.js';
import { RssSampler, type RssSummary } from './rss.js';

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  durationSeconds: number;
  /** An unmeasured run first, so the JIT, the caches and the connection pools are warm. */
  warmupSeconds: number;
  /** The server's pid, to sample its RSS and CPU during the measured run. */
  serverPid: number;
  /** The database server's postmaster, when it runs on this machine: its CPU (and its backends') is counted too. */
  databasePid?: number | undefined;
}

export interface LoadResult {
  /** autocannon's "Req/Sec" average (over its one-second samples). */
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMeanMs: number;
  totalRequests: number;
  /** Responses that were not 2xx, and connection errors/timeouts: any of these spoils the run. */
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  serverRss: RssSummary;
  /** Cores busy during the measured run: the server, the database, this process (autocannon), everything else. */
  cpu: CpuUse;
  /** CPU the server spent per answered request (µs); the database's beside it, when measured. */
  serverCpuUsPerRequest: number | undefined;
  databaseCpuUsPerRequest: number | undefined;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const request = { url: options.url, headers: options.headers ?? {}, connections: options.connections, timeout: 10 };
  if (options.warmupSeconds > 0) await autocannon({ ...request, duration: options.warmupSeconds });
  const rss = new RssSampler(options.serverPid);
  const cpu = new CpuMeter([options.serverPid], options.databasePid);
  try {
    const result = await autocannon({ ...request, duration: options.durationSeconds });
    return summarize(result, rss.stop(), cpu.stop());
  } finally {
    // Also when autocannon fails, or the sampler's timer would keep the bench alive.
    rss.stop();
  }
}

function summarize(result: autocannon.Result, serverRss: RssSummary, cpu: CpuUse): LoadResult {
  // Cores × seconds / requests: per-request CPU, whatever the rate (autocannon's total is of the measured run).
  const perRequest = (cores: number | undefined) =>
    cores === undefined || result.requests.total === 0 ? undefined : (cores * result.duration * 1e6) / result.requests.total;
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMeanMs: result.latency.average,
    totalRequests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, Number(count)])),
    serverRss,
    cpu,
    serverCpuUsPerRequest: perRequest(cpu.processes[0]),
    databaseCpuUsPerRequest: perRequest(cpu.database),
  };
}
