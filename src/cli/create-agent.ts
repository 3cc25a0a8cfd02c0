import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { judgeAgentEmail } from '../domain/auth/email.js';
import { judgePassword } from '../domain/auth/password-strength.js';
import { hashPassword } from '../domain/auth/secrets.js';
import type { AgentRole } from '../domain/model.js';
import { EmailTakenError } from '../store/port.js';
import { UsageError, printJson } from './usage.js';
import { withFinch } from './with-finch.js';

/** `finch create-agent --name N --email E [--password P] [--role admin|agent] [--json]`. */
export async function createAgentCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string', default: 'agent' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const name = values.name?.trim();
  if (!name) throw new UsageError('--name is required');
  if (values.email === undefined) throw new UsageError('--email is required');
  // The agent API's rule: normalized, then judged once.
  const verdict = judgeAgentEmail(values.email);
  if (!verdict.ok) throw new UsageError(`--email is not an email address: ${verdict.detail}`);
  const { email } = verdict;
  if (values.role !== 'admin' && values.role !== 'agent') throw new UsageError('--role must be admin or agent');
  if (values.password !== undefined) {
    // The rule every password Finch sets follows (the agent API answers 422 weak_password).
    const verdict = judgePassword(values.password, { email, name });
    if (!verdict.ok) throw new UsageError(`--password is too weak: ${verdict.detail}`);
  }
  const generated = values.password === undefined ? randomBytes(12).toString('base64url') : undefined;
  const password = values.password ?? generated!;
  const role: AgentRole = values.role;

  const passwordHash = await hashPassword(password);
  const agent = await withFinch(async (finch) => {
    try {
      return await finch.store.transaction((tx) =>
        tx.accounts.insertAgent({ name, email, alias: null, photoUrl: null, role, isFin: false, passwordHash, at: new Date().toISOString() }),
      );
    } catch (error) {
      if (error instanceof EmailTakenError) throw new UsageError(error.message);
      throw error;
    }
  });

  const printed = {
    id: agent.id,
    name: agent.name,
    email: agent.email,
    role: agent.role,
    created_at: agent.createdAt,
    ...(generated === undefined ? {} : { password: generated }),
  };
  if (values.json) return printJson(printed);
  process.stdout.write(
    `Agent created: ${agent.name} <${agent.email}> (${agent.role}, ${agent.id})\n` +
      (generated === undefined ? '' : `  Password: ${generated}  (shown once)\n`),
  );
}
