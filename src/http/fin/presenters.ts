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

export function presentMessage(message: Message, variant: Variant, authors?: Map<string, WireEndUser | RestAgent | PostAgent>) {
  return {
    id: message.id,
    conversation_id: message.conversationId,
    message_type: 'comment' as const,
    body: message.body ?? (variant === 'rest' ? '' : null),
    author: presentAuthor(message.author, variant, authors),
    visibility: message.visibility,
    created_at: message.createdAt,
    attachments: message.attachments,
  };
}

/**
 * A thread, oldest first. Each author is presented once per answer and shared by their messages:
 * judging an email and a photo URL again for every message was a measurable part of get_messages
 * (bench/README.md, "Where the time goes"). Within one answer an id always names the same author.
 */
export function presentMessages(messages: readonly Message[], variant: Variant) {
  const authors = new Map<string, WireEndUser | RestAgent | PostAgent>();
  return messages.map((message) => presentMessage(message, variant, authors));
}

function presentAuthor(author: Message['author'], variant: Variant, authors: Map<string, WireEndUser | RestAgent | PostAgent> | undefined) {
  const id = author.type === 'end_user' ? author.user.id : author.agent.id;
  let presented = authors?.get(id);
  if (!presented) {
    presented = author.type === 'end_user' ? presentUser(author.user) : presentAgent(author.agent, variant);
    authors?.set(id, presented);
  }
  return presented;
}

export function presentCreatedConversation(created: CreatedConversation, variant: Variant) {
  return {
    conversation: presentConversation(created.conversation, variant),
    initial_message: presentMessage(created.initialMessage, variant),
  };
}
