import { patchConversation } from '../api/conversations.js';
import type { ConversationDetail } from '../api/types.js';
import { DueBadge } from '../inbox/Due.js';
import { when } from '../ui/when.js';
import { AttributesForm } from './AttributesForm.js';

/** The conversation's own details: when its reply (and resolution) is due, title, tags and attributes. */
export function ConversationPanel({ conversation }: { conversation: ConversationDetail['conversation'] }) {
  return (
    <>
      <DueLine conversation={conversation} />
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
    </>
  );
}

/** The SLA: when it was handed over, when the reply and the resolution are due, and a breach. Nothing when none applies. */
function DueLine({ conversation }: { conversation: ConversationDetail['conversation'] }) {
  const { handed_over_at, reply_due_at, resolve_due_at, sla_breached_at } = conversation;
  if (!reply_due_at && !resolve_due_at && !sla_breached_at) return null;
  return (
    <p className="due-line">
      {handed_over_at && <span>Handed over {when(handed_over_at)}. </span>}
      <DueBadge conversation={conversation} />
      {resolve_due_at && <span> Resolution due {when(resolve_due_at)}.</span>}
      {sla_breached_at && <span> SLA missed {when(sla_breached_at)}.</span>}
    </p>
  );
}
