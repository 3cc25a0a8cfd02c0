/**
 * A long run minute by minute: the latency of the requests sent in each window beside what the
 * machine was doing in it (CPU of Finch's processes, the database, the bench and everything else;
 * the event-loop delay of the bench and of Finch's server). A run's overall p99 cannot say whether
 * slow answers came in one burst or all along, nor whether they were Finch's or the load
 * generator's own: a request waits in the bench's socket pool, and in its event loop, before it
 * reaches Finch. The windows can.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CpuMeter, type CpuUse } from './cpu.js';
import { summarizeLatencies, type LatencySummary } from './stats.js';

/** Event-loop delay over one window (ms): how late a timer of that loop could fire. */
export interface LoopDelay {
  p99Ms: number;
  maxMs: number;
}

/**
 * The server's memory at the window's end, from its /metrics (bytes): V8's heap in use and the
 * memory outside it that JavaScript objects hold (Buffers). Beside RSS they tell a growing heap
 * (objects kept) from a process that holds more pages for the same heap.
 */
export interface ServerMemory {
  heapUsed: number;
  external: number;
}

export interface TimelineWindow {
  /** Seconds from the timeline's start to the window's start. */
  fromSeconds: number;
  /** Requests sent in the window, and their latencies (however long after it they ended). */
  requests: number;
  failed: number;
  latency: LatencySummary;
  /** The operation with the highest p99 among those sent in the window. */
  slowest: { name: string; p99Ms: number } | undefined;
  /** Cores busy during the window (wall time); undefined for a window the run ended before. */
  cpu: CpuUse | undefined;
  bench: LoopDelay | undefined;
  /** From Finch's /metrics (prom-client resets its histogram at every scrape); undefined if unread. */
  server: LoopDelay | undefined;
  serverMemory: ServerMemory | undefined;
}

interface Window {
  byOperation: Map<string, number[]>;
  failed: number;
  cpu?: CpuUse;
  bench?: LoopDelay;
  server?: LoopDelay;
  serverMemory?: ServerMemory;
}

export interface TimelineOptions {
  windowSeconds: number;
  /** Finch's server first, then its workers. */
  watched: readonly number[];
  databasePid?: number | undefined;
  /** Finch's `/metrics`, read once per window for the server's event-loop delay. */
  metricsUrl: string;
}

export class Timeline {
  private readonly started = performance.now();
  private readonly windows: Window[] = [];
  private readonly loop = monitorEventLoopDelay({ resolution: 10 });
  private meter: CpuMeter;
  private readonly timer: NodeJS.Timeout;
  private closing: Promise<void> = Promise.resolve();

  constructor(private readonly options: TimelineOptions) {
    this.loop.enable();
    this.meter = new CpuMeter(options.watched, options.databasePid);
    void scrapeServer(options.metricsUrl); // resets the server's histogram: the first window starts clean
    this.timer = setInterval(() => {
      this.closing = this.closing.then(() => this.closeWindow());
    }, options.windowSeconds * 1000);
  }

  /** Seconds since the start: call when a request is sent, and give it to `record`. */
  now(): number {
    return (performance.now() - this.started) / 1000;
  }

  record(sentAtSeconds: number, operation: string, ms: number, ok: boolean): void {
    const window = this.window(Math.floor(sentAtSeconds / this.options.windowSeconds));
    const list = window.byOperation.get(operation) ?? [];
    list.push(ms);
    window.byOperation.set(operation, list);
    if (!ok) window.failed++;
  }

  /** Stops the sampling (the last, partial window gets no machine figures) and summarizes. */
  async stop(): Promise<TimelineWindow[]> {
    clearInterval(this.timer);
    await this.closing;
    this.loop.disable();
    return this.windows.map((window, index) => {
      const all = [...window.byOperation.values()].flat();
      let slowest: TimelineWindow['slowest'];
      for (const [name, values] of window.byOperation) {
        const p99Ms = summarizeLatencies(values).p99Ms;
        if (!slowest || p99Ms > slowest.p99Ms) slowest = { name, p99Ms };
      }
      return {
        fromSeconds: index * this.options.windowSeconds,
        requests: all.length,
        failed: window.failed,
        latency: summarizeLatencies(all),
        slowest,
        cpu: window.cpu,
        bench: window.bench,
        server: window.server,
        serverMemory: window.serverMemory,
      };
    });
  }

  private window(index: number): Window {
    for (let next = this.windows.length; next <= index; next++) this.windows.push({ byOperation: new Map(), failed: 0 });
    return this.windows[index]!;
  }

  /** The window that just ended (by wall time): its CPU and both event loops' delays. */
  private async closeWindow(): Promise<void> {
    const index = Math.round(this.now() / this.options.windowSeconds) - 1;
    const cpu = this.meter.stop();
    this.meter = new CpuMeter(this.options.watched, this.options.databasePid);
    const bench = { p99Ms: this.loop.percentile(99) / 1e6, maxMs: this.loop.max / 1e6 };
    this.loop.reset();
    const { loop: server, memory: serverMemory } = await scrapeServer(this.options.metricsUrl);
    Object.assign(this.window(Math.max(0, index)), { cpu, bench, server, serverMemory });
  }
}

/**
 * The server's event-loop delay since the last scrape and its memory now, from prom-client's
 * default metrics; each undefined when it could not be read.
 */
async function scrapeServer(metricsUrl: string): Promise<{ loop: LoopDelay | undefined; memory: ServerMemory | undefined }> {
  try {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) return { loop: undefined, memory: undefined };
    const text = await response.text();
    const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1]);
    const p99 = value('nodejs_eventloop_lag_p99_seconds');
    const max = value('nodejs_eventloop_lag_max_seconds');
    const heapUsed = value('nodejs_heap_size_used_bytes');
    const external = value('nodejs_external_memory_bytes');
    return {
      loop: Number.isFinite(p99) && Number.isFinite(max) ? { p99Ms: p99 * 1000, maxMs: max * 1000 } : undefined,
      memory: Number.isFinite(heapUsed) && Number.isFinite(external) ? { heapUsed, external } : undefined,
    };
  } catch {
    return { loop: undefined, memory: undefined };
  }
}
