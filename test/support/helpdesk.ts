/** Agents for agent-API tests, made as an admin would (through the stores, with real passwords). */
import { hashPassword } from '../../src/domain/auth/secrets.js';
import type { Agent, AgentRole } from '../../src/domain/model.js';
import type { TestFinch } from './finch.js';

export const PASSWORD = 'correct horse battery staple';

let passwordHash: Promise<string> | undefined;

export async function makeAgent(finch: TestFinch, name: string, role: AgentRole = 'agent'): Promise<Agent> {
  passwordHash ??= hashPassword(PASSWORD);
  return finch.store.insertAgent({
    name,
    email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`,
    alias: null,
    photoUrl: null,
    role,
    isFin: false,
    passwordHash: await passwordHash,
    at: finch.clock.now().toISOString(),
  });
}

/** A conversation started by Fin through the Fin API, as in production. */
export async function finConversation(finch: TestFinch, title = 'Help please', body = 'Hello, I need help') {
  const fin = finch.client('rest');
  const user = (await fin.call('create_user', { name: 'Eve End-User', email: `eve.${Math.random().toString(36).slice(2)}@example.com` })).payload as {
    id: string;
  };
  const created = await fin.call('create_conversation', { title, user_id: user.id, initial_message: { body, author: { id: user.id, user_type: 'end_user' } } });
  if (created.status !== 201) throw new Error(`create_conversation: ${created.status} ${JSON.stringify(created.body)}`);
  return (created.payload as { conversation: { id: string; user: { id: string } } }).conversation;
}

/** The outbox rows of a conversation, oldest first. */
export async function outboxOf(finch: TestFinch, conversationId: string) {
  return finch.database!.db.selectFrom('outbox_events').selectAll().where('conversation_id', '=', conversationId).orderBy('created_at').orderBy('id').execute();
}
