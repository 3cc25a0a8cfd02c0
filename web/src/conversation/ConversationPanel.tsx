import { patchConversation } from '../api/conversations.js';
import type { ConversationDetail } from '../api/types.js';
import { AttributesForm } from './AttributesForm.js';

/** The conversation's own details: title, tags and attributes. */
export function ConversationPanel({ conversation }: { conversation: ConversationDetail['conversation'] }) {
  return (
    <AttributesForm
      conversationId={conversation.id}
      label="Conversation details"
      title="Conversation"
      stamp={conversation.updated_at}
      attributes={conversation.attributes}
      submit="Save conversation"
      save={(form, attributes) => {
        const tags = String(form.get('tags') ?? '')
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean);
        return patchConversation(conversation.id, { title: String(form.get('title') ?? '') || null, tags, ...(attributes ? { attributes } : {}) });
      }}
    >
      <label>
        Title
        <input name="title" defaultValue={conversation.title ?? ''} />
      </label>
      <label>
        Tags (comma-separated)
        <input name="tags" defaultValue={conversation.tags.join(', ')} />
      </label>
    </AttributesForm>
  );
}
