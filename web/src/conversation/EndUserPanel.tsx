import { patchEndUser } from '../api/conversations.js';
import type { ConversationDetail } from '../api/types.js';
import { Avatar } from '../ui/Avatar.js';
import { AttributesForm } from './AttributesForm.js';

/**
 * The end-user of conversation `conversationId`: photo, name, email and attributes. The email is
 * whatever Fin sent (it may not be an address), so it is a plain text field, and only the fields
 * the agent changed are sent: saving a name never re-submits an email the server would judge.
 */
export function EndUserPanel({ conversationId, user }: { conversationId: string; user: ConversationDetail['user'] }) {
  return (
    <AttributesForm
      conversationId={conversationId}
      label="End-user"
      title="End-user"
      stamp={user.updated_at}
      attributes={user.attributes}
      submit="Save end-user"
      save={(form, attributes) => {
        const name = String(form.get('name') ?? '').trim() || null;
        const email = String(form.get('email') ?? '').trim() || null;
        return patchEndUser(user.id, {
          ...(name === user.name ? {} : { name }),
          ...(email === user.email ? {} : { email }),
          ...(attributes ? { attributes } : {}),
        });
      }}
    >
      <Avatar name={user.name ?? user.email} photoUrl={user.photo_url} />
      <label>
        Name
        <input name="name" defaultValue={user.name ?? ''} />
      </label>
      <label>
        Email
        <input name="email" type="text" inputMode="email" autoComplete="off" spellCheck={false} defaultValue={user.email ?? ''} />
      </label>
    </AttributesForm>
  );
}
