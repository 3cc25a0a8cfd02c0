import { randomBytes } from 'node:crypto';
import type { NewAgentInput } from '../../../contract/agent-api.js';
import { EmailTakenError } from '../../../store/port.js';
import { judgeAgentEmail } from '../../auth/email.js';
import { requireStrongPassword } from '../../auth/password-strength.js';
import { hashPassword } from '../../auth/secrets.js';
import { conflict, unprocessable } from '../../errors.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';
import { asTeamMember, type TeamMember } from './team-member.js';

/**
 * An admin adds an agent (role `agent` unless given). Without a password one is generated (96
 * random bits) and returned once. The agent is answered as a team member (team-member.ts), as the
 * team list shows them. Throws 422 `invalid_email` / `weak_password`, 409 `email_taken`.
 */
export async function inviteAgent(ctx: HelpdeskContext, admin: Agent, input: NewAgentInput): Promise<{ agent: TeamMember; password?: string }> {
  requireAdmin(admin);
  const name = input.name.trim();
  const verdict = judgeAgentEmail(input.email);
  if (!verdict.ok) throw unprocessable('invalid_email', verdict.detail, '/email');
  const { email } = verdict;
  if (input.password !== undefined) requireStrongPassword(input.password, { email, name }, '/password');
  // 96 random bits: strong by construction.
  const generated = input.password === undefined ? randomBytes(12).toString('base64url') : undefined;
  // Hashed before the transaction: scrypt's tens of milliseconds hold no write lock.
  const passwordHash = await hashPassword(input.password ?? generated!);
  let inserted: Agent;
  try {
    inserted = await ctx.transaction((tx) =>
      tx.accounts.insertAgent({
        name,
        email,
        alias: input.alias ?? null,
        photoUrl: null,
        role: input.role ?? 'agent',
        isFin: false,
        passwordHash,
        at: ctx.now().toISOString(),
      }),
    );
  } catch (error) {
    if (error instanceof EmailTakenError) throw conflict('email_taken', error.message, '/email');
    throw error;
  }
  const agent = await asTeamMember(ctx, inserted);
  return generated === undefined ? { agent } : { agent, password: generated };
}
