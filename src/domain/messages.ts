import type { AuthorInput, InitialMessageInput } from '../contract/requests.js';
import type { FinStoreWriter, NewMessage } from '../store/port.js';
import { normalizeAttachments, requireContent, sanitizeBody } from './content.js';
import { unprocessable } from './errors.js';
import type { Conversation } from './model.js';
import { normalizeTimestamp } from './time.js';

/** A message from Fin, checked and cleaned before anything is written. */
export interface MessageDraft {
  objectId: string | null;
  body: string | null;
  author: AuthorInput;
  visibility: NewMessage['visibility'];
  attachments: NewMessage['attachments'];
  createdAt: string;
}

export function draftMessage(input: InitialMessageInput, at: string, pointer: string): MessageDraft {
  const body = sanitizeBody(input.body, `${pointer}/body`);
  const attachments = normalizeAttachments(input.attachments, `${pointer}/attachments`);
  requireContent(body, attachments, pointer);
  return {
    // "" is no key: every message sent with it would otherwise replay the first (docs/decisions.md, "Lenient on Fin's input").
    objectId: input.object_id || null,
    body,
    author: input.author,
    visibility: input.visibility ?? 'public',
    attachments,
    createdAt: input.created_at === undefined ? at : normalizeTimestamp(input.created_at, `${pointer}/created_at`),
  };
}

/**
 * The author must be the conversation's end-user or an active agent (Fin posts its answers as
 * the Fin agent); anyone else is refused with 422. `authorIsCaller`: the author is the agent who
 * made the request, found active when it was authenticated, so it is not read again.
 */
export async function messageFor(
  tx: FinStoreWriter,
  conversation: Pick<Conversation, 'id' | 'user'>,
  draft: MessageDraft,
  pointer: string,
  options: { authorIsCaller?: boolean } = {},
): Promise<NewMessage> {
  const { author } = draft;
  if (author.user_type === 'end_user' && author.id !== conversation.user.id) {
    throw unprocessable('unknown_author', `The author ${JSON.stringify(author.id)} is not the end-user of this conversation.`, `${pointer}/author/id`);
  }
  if (author.user_type === 'agent' && !options.authorIsCaller) {
    const agent = await tx.findAgent(author.id);
    if (!agent?.active) {
      throw unprocessable('unknown_author', `No active agent has the id ${JSON.stringify(author.id)}.`, `${pointer}/author/id`);
    }
  }
  return {
    objectId: draft.objectId,
    conversationId: conversation.id,
    body: draft.body,
    author: { type: author.user_type, id: author.id },
    visibility: draft.visibility,
    attachments: draft.attachments,
    createdAt: draft.createdAt,
  };
}
