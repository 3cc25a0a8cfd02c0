/** Domain objects as the agent API spells them (snake_case, as the Fin API does). */
import type { AgentView, ConversationView, EndUserView, MessageView } from '../../contract/agent-api.js';
import { htmlToText } from '../../domain/content.js';
import type { TeamMember } from '../../domain/helpdesk/agents/team-member.js';
import type { Agent, Conversation, EndUser, Message } from '../../domain/model.js';
import type { DeliveryAttempt } from '../../store/outbox-port.js';
import type { ApiTokenRecord, OAuthClient } from '../../store/port.js';
import type { LastMessage } from '../../store/helpdesk-port.js';
import type { CannedReplyView } from '../../contract/canned-replies.js';
import type { CannedReply } from '../../store/canned-reply-port.js';

const PREVIEW_CHARACTERS = 140;

/** An agent; as a team member (the list, an invitation, an edit: team-member.ts) with their presence, open conversations and capacity. */
export function presentAgent(agent: TeamMember): AgentView {
  const view: AgentView = {
    id: agent.id,
    name: agent.name,
    email: agent.email,
    alias: agent.alias,
    photo_url: agent.photoUrl,
    role: agent.role,
    is_fin: agent.isFin,
    active: agent.active,
    created_at: agent.createdAt,
  };
  if (agent.status) {
    view.presence = agent.status.presence;
    view.open_conversations = agent.status.openConversations;
    view.capacity = agent.status.capacity;
  }
  return view;
}

const brief = (agent: Agent) => ({ id: agent.id, name: agent.name, email: agent.email, photo_url: agent.photoUrl, is_fin: agent.isFin });

/** Which queue a conversation is in, for the agent looking at it. */
export function queueOf(conversation: Conversation, viewerId: string): ConversationView['queue'] {
  const { assignee } = conversation;
  if (assignee === null) return conversation.status === 'open' ? 'waiting' : 'none';
  if (assignee.isFin) return 'fin';
  return assignee.id === viewerId ? 'mine' : 'others';
}

export function presentConversation(conversation: Conversation, viewerId: string, lastMessage: LastMessage | null): ConversationView {
  return {
    id: conversation.id,
    status: conversation.status,
    title: conversation.title,
    tags: conversation.tags,
    attributes: conversation.attributes,
    user: { id: conversation.user.id, name: conversation.user.name, email: conversation.user.email, photo_url: conversation.user.photoUrl },
    assignee: conversation.assignee && brief(conversation.assignee),
    queue: queueOf(conversation, viewerId),
    assigned_at: conversation.assignedAt,
    handover_reason: conversation.handoverReason,
    unread: conversation.unreadAt !== null,
    unread_at: conversation.unreadAt,
    fin_sync: { ok: conversation.finSyncFailedAt === null, failed_at: conversation.finSyncFailedAt },
    handed_over_at: conversation.handedOverAt,
    reply_due_at: conversation.replyDueAt,
    resolve_due_at: conversation.resolveDueAt,
    sla_breached_at: conversation.slaBreachedAt,
    last_message: lastMessage && {
      author_type: lastMessage.authorType,
      visibility: lastMessage.visibility,
      text: htmlToText(lastMessage.body).slice(0, PREVIEW_CHARACTERS),
      created_at: lastMessage.createdAt,
    },
    created_at: conversation.createdAt,
    updated_at: conversation.updatedAt,
  };
}

export function lastMessageOf(message: Message | null): LastMessage | null {
  return message && { authorType: message.author.type, visibility: message.visibility, body: message.body, createdAt: message.createdAt };
}

export function presentEndUser(user: EndUser): EndUserView {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    photo_url: user.photoUrl,
    attributes: user.attributes,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  };
}

export function presentMessage(message: Message): MessageView {
  const author =
    message.author.type === 'end_user'
      ? {
          type: 'end_user' as const,
          id: message.author.user.id,
          name: message.author.user.name,
          email: message.author.user.email,
          photo_url: message.author.user.photoUrl,
          is_fin: false,
        }
      : { type: 'agent' as const, ...brief(message.author.agent) };
  return {
    id: message.id,
    conversation_id: message.conversationId,
    body: message.body,
    author,
    visibility: message.visibility,
    attachments: message.attachments,
    created_at: message.createdAt,
  };
}

export function presentDelivery(delivery: DeliveryAttempt) {
  return {
    id: delivery.id,
    event_id: delivery.eventId,
    conversation_id: delivery.conversationId,
    kind: delivery.kind,
    attempt: delivery.attempt,
    url: delivery.url,
    status_code: delivery.statusCode,
    latency_ms: delivery.latencyMs,
    response_excerpt: delivery.responseExcerpt,
    error: delivery.error,
    outcome: delivery.outcome,
    next_attempt_at: delivery.nextAttemptAt,
    created_at: delivery.createdAt,
  };
}

export function presentToken(token: ApiTokenRecord) {
  return { id: token.id, name: token.name, scope: token.scope, agent_id: token.agentId, created_at: token.createdAt, revoked_at: token.revokedAt };
}

export function presentClient(client: OAuthClient) {
  return { id: client.id, name: client.name, created_at: client.createdAt, revoked_at: client.revokedAt };
}

export function presentCannedReply(reply: CannedReply): CannedReplyView {
  return {
    id: reply.id,
    shortcut: reply.shortcut,
    title: reply.title,
    body: reply.body,
    created_by: reply.createdBy,
    created_at: reply.createdAt,
    updated_at: reply.updatedAt,
  };
}
