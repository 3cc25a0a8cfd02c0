/** Administration: agents, API tokens and OAuth clients. Admins only, except where noted. */
import { randomBytes } from 'node:crypto';
import type { AgentPatch, NewAgentInput, NewTokenInput } from '../../contract/agent-api.js';
import type { AgentChanges } from '../../store/helpdesk-port.js';
import type { ApiTokenRecord, OAuthClient } from '../../store/port.js';
import { EmailTakenError } from '../../store/port.js';
import { createApiToken, createClient } from '../auth/credentials.js';
import { judgeAgentEmail } from '../auth/email.js';
import { requireStrongPassword } from '../auth/password-strength.js';
import { hashPassword } from '../auth/secrets.js';
import { conflict, forbidden, notFound, unprocessable } from '../errors.js';
import type { Agent } from '../model.js';
import type { HelpdeskContext } from './context.js';

export function requireAdmin(agent: Agent): void {
  if (agent.role !== 'admin') throw forbidden('Only an admin may do this.');
}

/** Every agent for admins; the active ones (to assign conversations to) for everyone else. */
export async function listAgents(ctx: HelpdeskContext, viewer: Agent): Promise<Agent[]> {
  return viewer.role === 'admin' ? ctx.accounts.listAllAgents() : ctx.store.listAgents();
}

export async function inviteAgent(ctx: HelpdeskContext, admin: Agent, input: NewAgentInput): Promise<{ agent: Agent; password?: string }> {
  requireAdmin(admin);
  const name = input.name.trim();
  const verdict = judgeAgentEmail(input.email);
  if (!verdict.ok) throw unprocessable('invalid_email', verdict.detail, '/email');
  const { email } = verdict;
  if (input.password !== undefined) requireStrongPassword(input.password, { email, name }, '/password');
  // 96 random bits: strong by construction.
  const generated = input.password === undefined ? randomBytes(12).toString('base64url') : undefined;
  try {
    const agent = await ctx.store.insertAgent({
      name,
      email,
      alias: input.alias ?? null,
      photoUrl: null,
      role: input.role ?? 'agent',
      isFin: false,
      passwordHash: await hashPassword(input.password ?? generated!),
      at: ctx.now().toISOString(),
    });
    return generated === undefined ? { agent } : { agent, password: generated };
  } catch (error) {
    if (error instanceof EmailTakenError) throw conflict('email_taken', error.message, '/email');
    throw error;
  }
}

export async function editAgent(ctx: HelpdeskContext, admin: Agent, agentId: string, patch: AgentPatch): Promise<Agent> {
  requireAdmin(admin);
  const target = await ctx.store.findAgent(agentId);
  if (!target) throw notFound('agent', agentId);
  if (target.isFin && (patch.role !== undefined || patch.active === false || patch.password !== undefined)) {
    throw unprocessable('fin_agent', 'The Fin agent stays active and cannot sign in.');
  }
  if (patch.password !== undefined) requireStrongPassword(patch.password, { email: target.email, name: patch.name ?? target.name }, '/password');
  const demoted = (patch.role !== undefined && patch.role !== 'admin') || patch.active === false;
  if (target.role === 'admin' && target.active && demoted) {
    const admins = (await ctx.accounts.listAllAgents()).filter((agent) => agent.role === 'admin' && agent.active);
    if (admins.length <= 1) throw conflict('last_admin', 'Finch needs at least one active admin.');
  }
  const changes: AgentChanges = {
    ...(patch.name === undefined ? {} : { name: patch.name.trim() }),
    ...(patch.alias === undefined ? {} : { alias: patch.alias }),
    ...(patch.role === undefined ? {} : { role: patch.role }),
    ...(patch.active === undefined ? {} : { active: patch.active }),
    ...(patch.password === undefined ? {} : { passwordHash: await hashPassword(patch.password) }),
  };
  const at = ctx.now().toISOString();
  const updated = await ctx.accounts.updateAgent(agentId, changes, at);
  // A deactivated agent, or one whose password changed, is signed out everywhere.
  if (patch.active === false || patch.password !== undefined) await ctx.accounts.revokeSessionsOf(agentId, at);
  return updated!;
}

/** Tokens: agents see and revoke their own; admins all of them. */
export async function listTokens(ctx: HelpdeskContext, viewer: Agent): Promise<ApiTokenRecord[]> {
  const tokens = await ctx.credentials.listApiTokens();
  return viewer.role === 'admin' ? tokens : tokens.filter((token) => token.agentId === viewer.id);
}

/** A personal token acts as its agent on the agent API; a `fin` token (admins only) is for Fin. */
export async function createToken(ctx: HelpdeskContext, viewer: Agent, input: NewTokenInput): Promise<{ token: string; details: ApiTokenRecord }> {
  const scope = input.scope ?? 'agent';
  if (scope === 'fin') requireAdmin(viewer);
  const created = await createApiToken(ctx.credentials, { name: input.name.trim(), scope, agentId: scope === 'agent' ? viewer.id : null }, ctx.now());
  const details = (await ctx.credentials.listApiTokens()).find((token) => token.id === created.id)!;
  return { token: created.token, details };
}

/** Revokes a token; returns it (as it was), so the caller knows whose it was. */
export async function revokeToken(ctx: HelpdeskContext, viewer: Agent, tokenId: string): Promise<ApiTokenRecord> {
  const token = (await ctx.credentials.listApiTokens()).find((candidate) => candidate.id === tokenId);
  if (!token || (viewer.role !== 'admin' && token.agentId !== viewer.id)) throw notFound('token', tokenId);
  await ctx.credentials.revokeApiToken(tokenId, ctx.now().toISOString());
  return token;
}

export async function listClients(ctx: HelpdeskContext, admin: Agent): Promise<OAuthClient[]> {
  requireAdmin(admin);
  return ctx.credentials.listClients();
}

export async function createOAuthClient(ctx: HelpdeskContext, admin: Agent, name: string): Promise<{ clientId: string; clientSecret: string; details: OAuthClient }> {
  requireAdmin(admin);
  const created = await createClient(ctx.credentials, name.trim(), ctx.now());
  return { ...created, details: (await ctx.credentials.findClient(created.clientId))! };
}

export async function revokeOAuthClient(ctx: HelpdeskContext, admin: Agent, clientId: string): Promise<void> {
  requireAdmin(admin);
  if (!(await ctx.credentials.revokeClient(clientId, ctx.now().toISOString()))) throw notFound('client', clientId);
}
