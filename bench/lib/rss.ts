/**
 * Resident memory of another process, from /proc (Linux only). Sampled on a timer while load runs,
 * because the peak is what sizes a machine and the final value shows whether memory comes back.
 */
import { readFileSync } from 'node:fs';

/** VmRSS in bytes, or undefined once the process is gone (or on a system without /proc). */
export function readRss(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface RssSummary {
  /** Bytes; undefined when no sample could be read. */
  max: number | undefined;
  final: number | undefined;
  samples: number;
}

export class RssSampler {
  private max: number | undefined;
  private last: number | undefined;
  private samples = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private summary: RssSummary | undefined;

  /**
   * Takes one last sample, so that "final" is the value at the end of the run. Later calls return
   * the same summary, so a `finally` may call it too, to be sure the timer never outlives the run.
   */
  stop(): RssSummary {
    if (!this.summary) {
      clearInterval(this.timer);
      this.sample();
      this.summary = { max: this.max, final: this.last, samples: this.samples };
    }
    return this.summary;
  }

  private sample(): void {
    const rss = readRss(this.pid);
    if (rss === undefined) return;
    this.samples++;
    this.last = rss;
    this.max = Math.max(this.max ?? 0, rss);
  }
}
