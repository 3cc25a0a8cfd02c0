/** Plain-text tables for the terminal, and the number formats the bench prints in them. */

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  // Text left-aligned, numbers right-aligned, so that digits line up.
  const cell = (value: string, column: number) => (/^[-\d–]/.test(value) ? value.padStart(widths[column]!) : value.padEnd(widths[column]!));
  const line = (values: readonly string[]) =>
    values
      .map((value, column) => cell(value, column))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

export function printTable(title: string, headers: readonly string[], rows: readonly (readonly string[])[]): void {
  process.stdout.write(`\n${title}\n${formatTable(headers, rows)}\n`);
}

const DASH = '–';

export const fmt = {
  int: (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? DASH : Math.round(value).toLocaleString('en-US')),
  ms: (value: number | undefined, digits = 2) => (value === undefined || !Number.isFinite(value) ? DASH : value.toFixed(digits)),
  mb: (bytes: number | undefined) => (bytes === undefined ? DASH : (bytes / 1_048_576).toFixed(1)),
  ratio: (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? DASH : `${value.toFixed(2)}×`),
  seconds: (value: number) => `${value.toFixed(1)} s`,
};
