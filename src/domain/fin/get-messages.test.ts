import { describe, expect, it } from 'vitest';
import { memoryContext } from '../../../test/support/domain.js';
import { createConversation } from './create-conversation.js';
import { createMessage } from './create-message.js';
import { createUser } from './create-user.js';
import { getMessages } from './get-messages.js';

describe('getMessages', () => {
  it('returns the thread oldest first, only what follows after_id, everything for an unknown or empty after_id', async () => {
    const ctx = memoryContext();
    const user = (await createUser(ctx, { name: 'Sam' })).value;
    const author = { id: user.id, user_type: 'end_user' as const };
    const { conversation, initialMessage } = (await createConversation(ctx, { user_id: user.id, initial_message: { body: '1', author } })).value;
    const second = (await createMessage(ctx, { conversation_id: conversation.id, body: '2', author })).value;
    const third = (await createMessage(ctx, { conversation_id: conversation.id, body: '3', author })).value;
    const ids = async (afterId?: string | null) => (await getMessages(ctx, { conversation_id: conversation.id, after_id: afterId })).map((m) => m.id);
    expect(await ids()).toEqual([initialMessage.id, second.id, third.id]);
    expect(await ids(initialMessage.id)).toEqual([second.id, third.id]);
    expect(await ids(third.id)).toEqual([]);
    expect(await ids('msg_unknown')).toEqual([initialMessage.id, second.id, third.id]);
    expect(await ids('')).toEqual([initialMessage.id, second.id, third.id]);
    expect(await ids(null)).toEqual([initialMessage.id, second.id, third.id]);
    await expect(getMessages(ctx, { conversation_id: 'conv_x' })).rejects.toMatchObject({ kind: 'not_found' });
  });
});
