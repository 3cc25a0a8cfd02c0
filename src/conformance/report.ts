/**
 * How a run is shown: a line per check while it runs, a table (check, result, level, why this
 * level; warnings apart) at the end, in colour on a terminal; `--json` and `--junit FILE` for CI.
 */
import { outcome, type CheckResult, type Outcome } from './recorder.js';
import type { ConformanceReport } from './run-checks.js';

export interface Style {
  color: boolean;
  /** Terminal width, to keep table rows on one line; undefined: no limit. */
  width?: number;
}

const paint = (style: Style, code: number, text: string) => (style.color ? `\u001b[${code}m${text}\u001b[0m` : text);
const green = (style: Style, text: string) => paint(style, 32, text);
const red = (style: Style, text: string) => paint(style, 31, text);
const yellow = (style: Style, text: string) => paint(style, 33, text);
const dim = (style: Style, text: string) => paint(style, 2, text);

const MARK: Record<Outcome, (style: Style) => string> = {
  pass: (style) => green(style, '✓'),
  warn: (style) => yellow(style, '!'),
  fail: (style) => red(style, '✗'),
};
const RESULT: Record<Outcome, (style: Style) => string> = {
  pass: (style) => green(style, 'pass  '),
  warn: (style) => yellow(style, 'warn  '),
  fail: (style) => red(style, 'FAIL  '),
};

/** One progress line, as a check finishes: its mark, name and level, and why when it did not pass. */
export function progressLine(result: CheckResult, style: Style, strict = false): string {
  const seen = outcome(result, strict);
  return `${MARK[seen](style)} ${result.name} ${dim(style, `(${result.level})`)}${seen === 'pass' ? '' : dim(style, ` — ${result.why}`)}\n`;
}

/**
 * The table: every check with its result, level and the reason for the level (a failure's cause on
 * the line below); warnings (recommended checks that did not pass) apart, after the others.
 */
export function table(report: ConformanceReport, style: Style): string {
  const nameWidth = Math.max(5, ...report.checks.map((check) => check.name.length));
  const clip = (text: string, used: number) => {
    const room = style.width ? style.width - used : Infinity;
    return room > 10 && text.length > room ? `${text.slice(0, room - 1)}…` : text;
  };
  const row = (check: CheckResult) => {
    const seen = outcome(check, report.strict);
    const line =
      `${check.name.padEnd(nameWidth)}  ${RESULT[seen](style)}  ${check.level.padEnd(11)}  ${dim(style, clip(check.reason, nameWidth + 23))}`.trimEnd();
    return seen === 'pass' ? [line] : [line, `    ↳ ${clip(check.why, 6)}`];
  };
  const warnings = report.checks.filter((check) => outcome(check, report.strict) === 'warn');
  const header = `${'check'.padEnd(nameWidth)}  result  level        why this level`;
  const rule = '-'.repeat(Math.min(header.length + 40, style.width ?? 120));
  const skipped = report.skipped.map((line) => dim(style, `skipped: ${line}`));
  const total = `${report.passed} passed, ${report.failed} failed, ${report.warned} warned`;
  const colour = report.failed > 0 ? red : report.warned > 0 ? yellow : green;
  return [
    header,
    rule,
    ...report.checks.filter((check) => outcome(check, report.strict) !== 'warn').flatMap(row),
    '',
    ...(warnings.length
      ? [yellow(style, 'Warnings: recommended checks that did not pass (they fail the run only with --strict)'), rule, ...warnings.flatMap(row), '']
      : []),
    ...skipped,
    ...(skipped.length ? [''] : []),
    `${colour(style, total)} (run ${report.runId}; what it created is marked "[finch check]" / finch_check_run=${report.runId})`,
    '',
  ].join('\n');
}

/**
 * `--json`: `{"passed", "failed", "warned", "strict", "checks": [{"name", "ok", "level", "reason",
 * "why"}], "skipped", "run_id"}`. A check with `ok: false` and `level: "recommended"` is a warning
 * unless `strict`.
 */
export function json(report: ConformanceReport): string {
  return `${JSON.stringify(
    {
      passed: report.passed,
      failed: report.failed,
      warned: report.warned,
      strict: report.strict,
      checks: report.checks.map(({ name, ok, level, reason, why }) => ({ name, ok, level, reason, why })),
      skipped: report.skipped,
      run_id: report.runId,
    },
    null,
    2,
  )}\n`;
}

/**
 * `--junit FILE`: one test case per check, the part before the colon as its class name. A warning
 * is a `<skipped message="warning (recommended): …">`: CI dashboards show and count skipped cases
 * without failing the build, where a property would be seen by nobody; with `--strict` it is a
 * `<failure>`. Every case names its level in the message of its failure or skip.
 */
export function junit(report: ConformanceReport): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const cases = report.checks.map((check) => {
    const open = `    <testcase classname="${xml(group(check.name))}" name="${xml(check.name)}" time="${seconds(check.durationMs)}"`;
    const seen = outcome(check, report.strict);
    if (seen === 'pass') return `${open}/>`;
    const message = xml(`${check.level}: ${check.why} (${check.reason})`);
    const inner = seen === 'warn' ? `<skipped message="warning (${message})"/>` : `<failure message="${message}"/>`;
    return `${open}>\n      ${inner}\n    </testcase>`;
  });
  const skipped = report.skipped.map((line) => `    <testcase classname="${xml(group(line))}" name="${xml(line)}">\n      <skipped/>\n    </testcase>`);
  const time = seconds(report.checks.reduce((sum, check) => sum + check.durationMs, 0));
  const tests = report.checks.length + report.skipped.length;
  const skips = report.skipped.length + report.warned;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="finch check" tests="${tests}" failures="${report.failed}" skipped="${skips}" time="${time}">`,
    `  <testsuite name="finch check" tests="${tests}" failures="${report.failed}" skipped="${skips}" time="${time}">`,
    ...cases,
    ...skipped,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function group(name: string): string {
  return name.split(':')[0]!.trim();
}

function xml(text: string): string {
  // Characters XML 1.0 cannot hold at all are dropped; the rest are escaped.
  // eslint-disable-next-line no-control-regex
  return text
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
