/**
 * Runs checks one after another and records each outcome. A check is a named piece of work that
 * either returns (passed) or throws `CheckFailed` with the reason; anything else it throws (a
 * refused connection, a timeout) fails it too, with that error as the reason, so one broken
 * operation never stops the rest of the run.
 */
import { performance } from 'node:perf_hooks';

export interface CheckResult {
  name: string;
  ok: boolean;
  /** Why it failed; on a pass, what was seen (e.g. the status and time). */
  why: string;
  durationMs: number;
}

export class CheckFailed extends Error {}

export function fail(why: string): never {
  throw new CheckFailed(why);
}

/** A value an earlier check should have produced; its absence fails this check as not run. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) fail(`not run: ${what}`);
  return value;
}

export class Recorder {
  readonly results: CheckResult[] = [];
  /** What the last answer was, for the pass note; set by the session that makes the calls. */
  lastSeen = '';

  constructor(private readonly onResult: (result: CheckResult) => void = () => {}) {}

  async check<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
    const started = performance.now();
    this.lastSeen = '';
    let value: T | undefined;
    let ok = true;
    let why: string;
    try {
      value = await work();
      why = this.lastSeen;
    } catch (error) {
      ok = false;
      why = error instanceof CheckFailed ? error.message : `error: ${(error as Error).message ?? String(error)}`;
    }
    const result: CheckResult = { name, ok, why, durationMs: Math.round(performance.now() - started) };
    this.results.push(result);
    this.onResult(result);
    return ok ? value : undefined;
  }
}
