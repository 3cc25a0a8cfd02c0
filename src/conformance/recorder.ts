/**
 * Runs checks one after another and records each outcome. A check is a named piece of work that
 * either returns (passed) or throws `CheckFailed` with the reason; anything else it throws (a
 * refused connection, a timeout) fails it too, with that error as the reason, so one broken
 * operation never stops the rest of the run.
 *
 * Every check carries its level: `required` when Intercom's documentation says so, `recommended`
 * when it is Finch's reading of a silent point or Fin works worse without it. A recommended check
 * that does not pass is a warning: it fails the run only with `--strict`.
 */
import { performance } from 'node:perf_hooks';

export type Level = 'required' | 'recommended';

/** A check's level and the short reason for it (what the docs say, or why Fin needs it). */
export interface Rule {
  level: Level;
  reason: string;
}

export const required = (reason: string): Rule => ({ level: 'required', reason });
export const recommended = (reason: string): Rule => ({ level: 'recommended', reason });

export interface CheckResult {
  name: string;
  ok: boolean;
  level: Level;
  /** Why the check has its level. */
  reason: string;
  /** Why it failed; on a pass, what was seen (e.g. the status and time). */
  why: string;
  durationMs: number;
}

/** pass; warn: a recommended check that did not pass; fail: a required one (or any, when strict). */
export type Outcome = 'pass' | 'warn' | 'fail';

export function outcome(result: CheckResult, strict: boolean): Outcome {
  if (result.ok) return 'pass';
  return result.level === 'recommended' && !strict ? 'warn' : 'fail';
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

  async check<T>(name: string, rule: Rule, work: () => Promise<T>): Promise<T | undefined> {
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
    const result: CheckResult = { name, ok, level: rule.level, reason: rule.reason, why, durationMs: Math.round(performance.now() - started) };
    this.results.push(result);
    this.onResult(result);
    return ok ? value : undefined;
  }
}
