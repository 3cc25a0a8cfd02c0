import { parseArgs } from 'node:util';
import { createClient } from '../domain/auth/credentials.js';
import { printJson } from './usage.js';
import { withFinch } from './with-finch.js';

/** `finch create-client [--name NAME] [--json]`: an OAuth client for Fin's settings. */
export async function createClientCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { name: { type: 'string', default: 'Fin' }, json: { type: 'boolean', default: false } }, strict: true });
  const client = await withFinch((finch) => finch.store.transaction((tx) => createClient(tx.credentials, values.name, new Date())));
  if (values.json) return printJson({ client_id: client.clientId, client_secret: client.clientSecret });
  process.stdout.write(
    `OAuth client created. Paste these into Fin's settings; the secret is not shown again.\n` +
      `  Client ID:     ${client.clientId}\n  Client secret: ${client.clientSecret}\n`,
  );
}
