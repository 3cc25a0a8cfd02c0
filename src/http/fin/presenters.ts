/**
 * Domain objects in the words of each variant (spec §3). The variants differ only in the agent
 * (`alias` and nullable name/email in REST, `alias_name` in POST-only) and in the body of an
 * attachment-only message (`""` in REST, where body is a required string; `null` in POST-only).
 */
import type { EndUser as WireEndUser, PostAgent, RestAgent, Variant } from '../../contract/models.js';
import type { Agent, Conversation, EndUser, Message } from '../../domain/model.js';
import type { CreatedConversation } from '../../domain/fin/create-conversation.js';
import { finEmail, finPhotoUrl } from '../../domain/users.js';

/**
 * Fin may have sent any text as an email or photo (kept as text); the answer holds only what the
 * contract's formats allow, the rest as null (`finEmail`, `finPhotoUrl`).
 */
export function presentUser(user: EndUser): WireEndUser {
  return {
    id: user.id,
    user_type: 'end_user',
    name: user.name,
    email: finEmail(user.email),
    photo_url: finPhotoUrl(user.photoUrl),
    attributes: user.attributes,
  };
}

export function presentAgent(agent: Agent, variant: Variant): RestAgent | PostAgent {
  const common = { id: agent.id, user_type: 'agent' as const, name: agent.name, email: agent.email, photo_url: agent.photoUrl };
  return variant === 'rest' ? { ...common, alias: agent.alias } : { ...common, alias_name: agent.alias };
}

export function presentConversation(conversation: Conversation, variant: Variant) {
  return {
    id: conversation.id,
    status: conversation.status,
    user: presentUser(conversation.user),
    title: conversation.title,
    tags: conversation.tags,
    attributes: conversation.attributes,
    assignee: conversation.assignee && presentAgent(conversation.assignee, variant),
    created_at: conversation.createdAt,
    updated_at: conversation.updatedAt,
  };
}

export function presentMessage(message: Message, variant: Variant) {
  return {
    id: message.id,
    conversation_id: message.conversationId,
    message_type: 'comment' as const,
    body: message.body ?? (variant === 'rest' ? '' : null),
    author: message.author.type === 'end_user' ? presentUser(message.author.user) : presentAgent(message.author.agent, variant),
    visibility: message.visibility,
    created_at: message.createdAt,
    attachments: message.attachments,
  };
}

export function presentCreatedConversation(created: CreatedConversation, variant: Variant) {
  return {
    conversation: presentConversation(created.conversation, variant),
    initial_message: presentMessage(created.initialMessage, variant),
  };
}
