#!/usr/bin/env node
/**
 * The `finch` command. Every command reads the same configuration as the server
 * (FINCH_DATA_DIR, DATABASE_URL, …) and works while a server runs on the same data.
 */
import { ConfigError } from '../config.js';
import { ListenError } from '../http/listen.js';
import { loggableUrl, scrubSecrets } from '../http/logging.js';
import { tracingConfigured } from '../telemetry/configured.js';
import { UsageError } from './usage.js';

const HELP = `Usage: finch <command> [options]

Commands:
  start                 Run the Finch server (the default); it also serves /metrics,
                          /health/live and /health/ready on FINCH_PORT
  create-client         Create an OAuth client for Fin; prints its id and secret
      --name NAME         A label for the client (default "Fin")
      --json              Print {"client_id", "client_secret"}
  create-agent          Create a helpdesk agent
      --name NAME --email EMAIL [--password P] [--role admin|agent] [--json]
                          Without --password, a password is generated and printed
  create-fin-token      Create a static API token to paste into Fin's settings
      --name NAME         A label for the token (default "Fin")
      --json              Print {"id", "token"}
  create-token          Create a personal API token for the agent API
      --agent EMAIL [--name NAME] [--json]
                          --json prints {"token"}
  reset-password        Give an agent a new generated password and sign them out everywhere
      --agent EMAIL [--json]
                          Prints the new password (--json: {"email", "password"})
  worker                Deliver notifications (to Fin, by email, to the team chat) and run the
                          scheduled jobs, without the API or the inbox (set FINCH_DISPATCHER=off on
                          the servers); with FINCH_METRICS_PORT it serves /metrics, /health/live
                          and /health/ready on that port
  emulate               Run the Fin emulator against a helpdesk (flags: see the README)
  check                 Check a helpdesk against the Fin Custom Helpdesk API (see finch check --help)
  backup --out FILE     Copy the live SQLite database to FILE (never overwritten); on PostgreSQL,
                          print the pg_dump command to use instead and exit 3
  restore FILE          Restore a backup made by finch backup into FINCH_DATA_DIR, which must
                          hold no database; on PostgreSQL, print the pg_restore command and exit 3
  migrate-to-postgres   Copy a SQLite Finch into an empty PostgreSQL database
      [--from DIR] [--to URL]   (defaults: FINCH_DATA_DIR, DATABASE_URL)
  help                  Show this help

Configuration comes from environment variables; see the README.`;

/** Resolves to the exit status, or to nothing for 0. */
type Command = (args: string[]) => Promise<void | number>;

/** Loaded on demand: a command pays only for the modules it uses (the server's are the heaviest). */
const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./start.js')).startCommand,
  'create-client': async () => (await import('./create-client.js')).createClientCommand,
  'create-agent': async () => (await import('./create-agent.js')).createAgentCommand,
  'create-fin-token': async () => (await import('./create-fin-token.js')).createFinTokenCommand,
  'create-token': async () => (await import('./create-token.js')).createTokenCommand,
  'reset-password': async () => (await import('./reset-password.js')).resetPasswordCommand,
  worker: async () => (await import('./worker.js')).workerCommand,
  emulate: async () => (await import('./emulate.js')).emulateCommand,
  check: async () => (await import('./check.js')).checkCommand,
  backup: async () => (await import('./backup.js')).backupCommand,
  restore: async () => (await import('./restore.js')).restoreCommand,
  'migrate-to-postgres': async () => (await import('./migrate-to-postgres.js')).migrateToPostgresCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command = 'start', ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const load = COMMANDS[command];
  if (!load) {
    process.stderr.write(`finch: unknown command ${JSON.stringify(command)}\n\n${HELP}\n`);
    return 2;
  }
  try {
    // Before the command's modules load (pg, node:http are patched as they are imported), and only when configured.
    if (tracingConfigured()) await (await import('../telemetry/tracing.js')).startTracing({ loggableUrl });
    const run = await load();
    return (await run(rest)) ?? 0;
  } catch (error) {
    // One line, without any secret the message may quote (a database URL's password, a token).
    const message = scrubSecrets(error instanceof Error ? error.message : String(error));
    const setup = error instanceof UsageError || error instanceof ConfigError || error instanceof ListenError || isParseArgsError(error);
    process.stderr.write(`finch ${command}: ${message}\n`);
    failed();
    return setup ? 2 : 1;
  }
}

/**
 * A command that failed has stopped what it started; should anything still hold the process
 * (a timer, a connection a driver keeps), it exits anyway after a moment, rather than hang.
 */
function failed(): void {
  setTimeout(() => process.exit(), FAILED_EXIT_DELAY_MS).unref();
}
const FAILED_EXIT_DELAY_MS = 500;

function isParseArgsError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && String((error as { code?: string }).code).startsWith('ERR_PARSE_ARGS');
}

process.exitCode = await main(process.argv.slice(2));
