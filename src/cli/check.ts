import { writeFileSync } from 'node:fs';
import { CHECK_HELP, loadCheckConfig } from '../conformance/config.js';
import { json, junit, progressLine, table, type Style } from '../conformance/report.js';
import { runConformance } from '../conformance/run-checks.js';

/** `finch check`: the conformance checker, for any helpdesk. Exit status 1 when a required check fails (any, with --strict). */
export async function checkCommand(args: string[]): Promise<number> {
  const config = loadCheckConfig(args);
  if (config.help) {
    process.stdout.write(`${CHECK_HELP}\n`);
    return 0;
  }
  const progress: Style = { color: useColor(process.stderr) };
  const report = await runConformance(config.options, {
    onResult: (result) => process.stderr.write(progressLine(result, progress, config.options.strict)),
    onListening: (url, conversationId) => {
      process.stderr.write(
        `\nListening for the helpdesk's webhook at ${url}\n` +
          `Point the helpdesk's Fin base URL at http://${new URL(url).host}, then change something on the helpdesk side` +
          `${conversationId ? ` (e.g. reply to conversation ${conversationId})` : ''}.\n\n`,
      );
    },
  });
  if (config.junitFile) writeFileSync(config.junitFile, junit(report));
  process.stdout.write(config.json ? json(report) : `\n${table(report, { color: useColor(process.stdout), width: process.stdout.columns })}`);
  return report.failed === 0 ? 0 : 1;
}

/** Colour on a terminal, unless NO_COLOR is set; FORCE_COLOR forces it. */
function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}
