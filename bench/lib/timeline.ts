/**
 * A long run minute by minute: the latency of the requests due in each window beside what the
 * machine was doing in it (CPU of Finch's processes, the database, the bench and everything else;
 * the event-loop delay of the bench and of Finch's server; the server's heap). A run's overall p99
 * cannot say whether slow answers came in one burst or all along, nor whether they were Finch's or
 * the load generator's own: a request waits in the bench's socket pool, and in its event loop,
 * before it reaches Finch. The windows can.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CpuMeter, type CpuUse } from './cpu.js';
import { summarizeLatencies, type LatencySummary } from './stats.js';

/**
 * Event-loop delay over one window (ms): how much later than due a timer of that loop fired. Node's
 * monitor (and prom-client's, which uses it) records the whole time between two firings of its
 * 10 ms timer, so the timer's own 10 ms is taken off: an idle loop reads about 0, not 10.
 */
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
  /** Seconds from the load's start to the window's start. */
  fromSeconds: number;
  /** The machine figures' span: shorter than the others only for the window the run ended in. */
  seconds: number;
  /** Requests due in the window, and their latencies (however long after it they ended). */
  requests: number;
  failed: number;
  latency: LatencySummary;
  /** The operation with the highest p99 among those due in the window. */
  slowest: { name: string; p99Ms: number } | undefined;
  /** Cores busy during the window; undefined if the run ended before the window began. */
  cpu: CpuUse | undefined;
  bench: LoopDelay | undefined;
  /** From Finch's /metrics (prom-client resets its histogram at every scrape); undefined if unread. */
  server: LoopDelay | undefined;
  serverMemory: ServerMemory | undefined;
}

interface Window {
  byOperation: Map<string, number[]>;
  failed: number;
  seconds?: number;
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
  /** Finch's `/metrics`, read once per window for the server's event-loop delay and heap. */
  metricsUrl: string;
}

/** The timer resolution of both event-loop monitors (prom-client's default, and this one's), ms. */
const LOOP_RESOLUTION_MS = 10;

/**
 * Starts counting at construction: build it right before the load starts, and give `record` each
 * request's due time from the load's start, so a request counts in the window its load was meant
 * for. Call `stop` on every path (its timer is unref'd, so a failed run does not hang on it).
 */
export class Timeline {
  private readonly started = performance.now();
  private readonly windows: Window[] = [];
  private readonly loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  private meter: CpuMeter;
  private meterStarted = performance.now();
  /** The window whose machine figures are being counted. */
  private current = 0;
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: TimelineOptions) {
    this.loop.enable();
    this.meter = new CpuMeter(options.watched, options.databasePid);
    void scrapeServer(options.metricsUrl); // resets the server's histogram: the first window starts clean
    this.schedule();
  }

  /** `operation`, due `dueSeconds` after the load's start, took `ms`. */
  record(dueSeconds: number, operation: string, ms: number, ok: boolean): void {
    const window = this.window(Math.floor(dueSeconds / this.options.windowSeconds));
    const list = window.byOperation.get(operation) ?? [];
    list.push(ms);
    window.byOperation.set(operation, list);
    if (!ok) window.failed++;
  }

  /** Stops the sampling, closing the window it is in (shorter than the others), and summarizes. */
  async stop(): Promise<TimelineWindow[]> {
    if (!this.stopped) {
      this.stopped = true;
      clearTimeout(this.timer);
      this.closing = this.closing.then(() => this.closeWindow());
    }
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
        seconds: window.seconds ?? this.options.windowSeconds,
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

  /** Closes the current window at its end on the clock, not a drifting interval after the last close. */
  private schedule(): void {
    const endsAt = this.started + (this.current + 1) * this.options.windowSeconds * 1000;
    this.timer = setTimeout(
      () => {
        this.closing = this.closing.then(async () => {
          await this.closeWindow();
          if (!this.stopped) this.schedule();
        });
      },
      Math.max(0, endsAt - performance.now()),
    );
    this.timer.unref();
  }

  /** The current window's CPU, both event loops' delays and the server's memory; the next one starts. */
  private async closeWindow(): Promise<void> {
    const now = performance.now();
    const cpu = this.meter.stop();
    const seconds = (now - this.meterStarted) / 1000;
    this.meter = new CpuMeter(this.options.watched, this.options.databasePid);
    this.meterStarted = now;
    const bench = netDelay(this.loop.percentile(99) / 1e6, this.loop.max / 1e6);
    this.loop.reset();
    // The moments between the last request's window and the stop have nothing to show beside them.
    if (this.stopped && this.current >= this.windows.length) return;
    const window = this.window(this.current++);
    const { loop: server, memory: serverMemory } = await scrapeServer(this.options.metricsUrl);
    Object.assign(window, { cpu, seconds, bench, server, serverMemory });
  }
}

function netDelay(p99Ms: number, maxMs: number): LoopDelay {
  return { p99Ms: Math.max(0, p99Ms - LOOP_RESOLUTION_MS), maxMs: Math.max(0, maxMs - LOOP_RESOLUTION_MS) };
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
      loop: Number.isFinite(p99) && Number.isFinite(max) ? netDelay(p99 * 1000, max * 1000) : undefined,
      memory: Number.isFinite(heapUsed) && Number.isFinite(external) ? { heapUsed, external } : undefined,
    };
  } catch {
    return { loop: undefined, memory: undefined };
  }
}
