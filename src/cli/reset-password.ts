import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { normalizeEmail } from '../domain/auth/email.js';
import { hashPassword } from '../domain/auth/secrets.js';
import type { Agent } from '../domain/model.js';
import type { Finch } from '../finch.js';
import { UsageError, printJson } from './usage.js';
import { withFinch } from './with-finch.js';

/** 144 random bits, 24 characters of base64url: strong whatever rules passwords must follow. */
const GENERATED_PASSWORD_BYTES = 18;

/** An agent that is not there: the command fails with status 1 and says so. */
export class UnknownAgentError extends Error {}

/**
 * `finch reset-password --agent EMAIL [--json]`: the way back in for someone who lost their
 * password, the first admin included. Sets a generated password for that agent (never Fin),
 * ends all of their sessions, and prints the password: to the terminal of whoever has access to
 * the server's data, never to the server's log. Personal API tokens stay valid (scripts hold
 * them); revoke them in the inbox if they may have leaked too.
 */
export async function resetPasswordCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { agent: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const email = values.agent === undefined ? undefined : normalizeEmail(values.agent);
  if (!email) throw new UsageError('--agent EMAIL is required');
  const password = randomBytes(GENERATED_PASSWORD_BYTES).toString('base64url');
  // Hashed before the transaction: scrypt holds no write lock.
  const passwordHash = await hashPassword(password);
  const agent = await withFinch((finch) => resetPassword(finch, email, passwordHash, new Date().toISOString()));

  if (values.json) return printJson({ email: agent.email, password });
  process.stdout.write(
    `New password for ${agent.name} <${agent.email}>; their sessions were ended.\n` +
      `  Password: ${password}  (shown once)\n` +
      (agent.active ? '' : '  This agent is deactivated: an admin must reactivate them before they can sign in.\n'),
  );
}

/**
 * Sets the agent's password hash and ends all of their sessions (whoever signed in with the old
 * password is signed out), in one transaction: both or neither. `email` is normalized. Throws
 * `UnknownAgentError` for an email no agent (or only Fin) has.
 */
export function resetPassword(finch: Pick<Finch, 'store'>, email: string, passwordHash: string, at: string): Promise<Agent> {
  return finch.store.transaction(async (tx) => {
    const found = (await tx.accounts.findCredentials(email))?.agent;
    if (!found || found.isFin) throw new UnknownAgentError(`no agent has the email ${email}`);
    const updated = await tx.accounts.updateAgent(found.id, { passwordHash }, at);
    if (!updated) throw new UnknownAgentError(`no agent has the email ${email}`);
    await tx.accounts.revokeSessionsOf(found.id, at);
    return updated;
  });
}
