import { parseArgs } from 'node:util';
import { createApiToken } from '../domain/auth/credentials.js';
import { printJson } from './usage.js';
import { withFinch } from './with-finch.js';

/** `finch create-fin-token [--name NAME] [--json]`: a static token for Fin's settings. */
export async function createFinTokenCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { name: { type: 'string', default: 'Fin' }, json: { type: 'boolean', default: false } }, strict: true });
  const created = await withFinch((finch) =>
    finch.store.transaction((tx) => createApiToken(tx.credentials, { name: values.name, scope: 'fin', agentId: null }, new Date())),
  );
  if (values.json) return printJson({ id: created.id, token: created.token });
  process.stdout.write(`Fin API token created (${created.id}). Paste it into Fin's settings; it is not shown again.\n  ${created.token}\n`);
}
