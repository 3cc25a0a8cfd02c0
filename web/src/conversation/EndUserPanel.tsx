import { patchEndUser } from '../api/conversations.js';
import type { ConversationDetail } from '../api/types.js';
import { AttributesForm } from './AttributesForm.js';

/** The end-user of conversation `conversationId`: name, email and attributes. */
export function EndUserPanel({ conversationId, user }: { conversationId: string; user: ConversationDetail['user'] }) {
  return (
    <AttributesForm
      conversationId={conversationId}
      label="End-user"
      title="End-user"
      stamp={user.updated_at}
      attributes={user.attributes}
      submit="Save end-user"
      save={(form, attributes) =>
        patchEndUser(user.id, {
          name: String(form.get('name') || '') || null,
          email: String(form.get('email') || '') || null,
          ...(attributes ? { attributes } : {}),
        })
      }
    >
      <label>
        Name
        <input name="name" defaultValue={user.name ?? ''} />
      </label>
      <label>
        Email
        <input name="email" type="email" defaultValue={user.email ?? ''} />
      </label>
    </AttributesForm>
  );
}
