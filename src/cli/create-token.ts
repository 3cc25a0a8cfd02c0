import { parseArgs } from 'node:util';
import { createApiToken } from '../domain/auth/credentials.js';
import { normalizeEmail } from '../domain/auth/email.js';
import { UsageError, printJson } from './usage.js';
import { withFinch } from './with-finch.js';

/** `finch create-token --agent EMAIL [--name NAME] [--json]`: a personal API token for scripts. */
export async function createTokenCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { agent: { type: 'string' }, name: { type: 'string', default: 'script' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  if (!values.agent) throw new UsageError('--agent EMAIL is required');
  // The agent is read and its token written in one transaction: never a token for an agent
  // deactivated in between.
  const created = await withFinch((finch) =>
    finch.store.transaction(async (tx) => {
      const agent = (await tx.accounts.findCredentials(normalizeEmail(values.agent!)))?.agent;
      if (!agent || agent.isFin) throw new UsageError(`no agent has the email ${values.agent}`);
      if (!agent.active) throw new UsageError(`the agent ${values.agent} is deactivated`);
      return createApiToken(tx.credentials, { name: values.name, scope: 'agent', agentId: agent.id }, new Date());
    }),
  );
  if (values.json) return printJson({ token: created.token });
  process.stdout.write(`API token created (${created.id}); it is not shown again.\n  ${created.token}\n`);
}
