/**
 * How a run is shown: a line per check while it runs, a table (check, result, why) at the end, in
 * colour on a terminal; `--json` and `--junit FILE` for CI.
 */
import type { CheckResult } from './recorder.js';
import type { ConformanceReport } from './run-checks.js';

export interface Style {
  color: boolean;
  /** Terminal width, to keep table rows on one line; undefined: no limit. */
  width?: number;
}

const paint = (style: Style, code: number, text: string) => (style.color ? `\u001b[${code}m${text}\u001b[0m` : text);
const green = (style: Style, text: string) => paint(style, 32, text);
const red = (style: Style, text: string) => paint(style, 31, text);
const dim = (style: Style, text: string) => paint(style, 2, text);

/** One progress line, as a check finishes. */
export function progressLine(result: CheckResult, style: Style): string {
  const mark = result.ok ? green(style, '✓') : red(style, '✗');
  return `${mark} ${result.name}${result.ok ? '' : dim(style, ` — ${result.why}`)}\n`;
}

export function table(report: ConformanceReport, style: Style): string {
  const nameWidth = Math.max(5, ...report.checks.map((check) => check.name.length));
  const rows = report.checks.map((check) => {
    const result = check.ok ? green(style, 'pass  ') : red(style, 'FAIL  ');
    let why = check.why;
    if (style.width) {
      const room = style.width - nameWidth - 10;
      if (room > 10 && why.length > room) why = `${why.slice(0, room - 1)}…`;
    }
    return `${check.name.padEnd(nameWidth)}  ${result}  ${check.ok ? dim(style, why) : why}`.trimEnd();
  });
  const header = `${'check'.padEnd(nameWidth)}  result  why`;
  const skipped = report.skipped.map((line) => dim(style, `skipped: ${line}`));
  const total = `${report.passed} passed, ${report.failed} failed`;
  return [
    header,
    '-'.repeat(Math.min(header.length + 40, style.width ?? 120)),
    ...rows,
    '',
    ...skipped,
    ...(skipped.length ? [''] : []),
    `${report.failed === 0 ? green(style, total) : red(style, total)} (run ${report.runId}; what it created is marked "[finch check]" / finch_check_run=${report.runId})`,
    '',
  ].join('\n');
}

/** `--json`: `{"passed", "failed", "checks": [{"name", "ok", "why"}], "skipped", "run_id"}`. */
export function json(report: ConformanceReport): string {
  return `${JSON.stringify(
    {
      passed: report.passed,
      failed: report.failed,
      checks: report.checks.map(({ name, ok, why }) => ({ name, ok, why })),
      skipped: report.skipped,
      run_id: report.runId,
    },
    null,
    2,
  )}\n`;
}

/** `--junit FILE`: one test case per check, the part before the colon as its class name. */
export function junit(report: ConformanceReport): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const cases = report.checks.map((check) => {
    const open = `    <testcase classname="${xml(group(check.name))}" name="${xml(check.name)}" time="${seconds(check.durationMs)}"`;
    return check.ok ? `${open}/>` : `${open}>\n      <failure message="${xml(check.why)}"/>\n    </testcase>`;
  });
  const skipped = report.skipped.map((line) => `    <testcase classname="${xml(group(line))}" name="${xml(line)}">\n      <skipped/>\n    </testcase>`);
  const time = seconds(report.checks.reduce((sum, check) => sum + check.durationMs, 0));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="finch check" tests="${report.checks.length + report.skipped.length}" failures="${report.failed}" time="${time}">`,
    `  <testsuite name="finch check" tests="${report.checks.length + report.skipped.length}" failures="${report.failed}" skipped="${report.skipped.length}" time="${time}">`,
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
