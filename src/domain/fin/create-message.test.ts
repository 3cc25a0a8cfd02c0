import { describe, expect, it } from 'vitest';
import { memoryContext } from '../../../test/support/domain.js';
import { createConversation } from './create-conversation.js';
import { createMessage } from './create-message.js';
import { createUser } from './create-user.js';

describe('createMessage', () => {
  it('moves the conversation up (updated_at) for a new message, not for a replay', async () => {
    const ctx = memoryContext();
    const user = (await createUser(ctx, { name: 'Sam' })).value;
    const { conversation } = (
      await createConversation(ctx, { user_id: user.id, initial_message: { body: 'Hi', author: { id: user.id, user_type: 'end_user' } } })
    ).value;
    ctx.tick();
    const input = { conversation_id: conversation.id, body: 'More', author: { id: user.id, user_type: 'end_user' as const }, object_id: 'im-1' };
    const created = await createMessage(ctx, input);
    const touched = (await ctx.store.findConversation(conversation.id))!.updatedAt;
    expect(touched).toBe(ctx.now().toISOString());
    ctx.tick();
    const replay = await createMessage(ctx, input);
    expect(replay).toEqual({ value: created.value, replayed: true });
    expect((await ctx.store.findConversation(conversation.id))!.updatedAt).toBe(touched);
  });

  it('keeps the time Fin gives, normalized to UTC with milliseconds', async () => {
    const ctx = memoryContext();
    const user = (await createUser(ctx, { name: 'Sam' })).value;
    const { conversation } = (
      await createConversation(ctx, { user_id: user.id, initial_message: { body: 'Hi', author: { id: user.id, user_type: 'end_user' } } })
    ).value;
    const { value } = await createMessage(ctx, {
      conversation_id: conversation.id,
      body: 'x',
      author: { id: user.id, user_type: 'end_user' },
      created_at: '2025-10-27T16:30:00+02:00',
    });
    expect(value.createdAt).toBe('2025-10-27T14:30:00.000Z');
    await expect(
      createMessage(ctx, { conversation_id: conversation.id, body: 'x', author: { id: user.id, user_type: 'end_user' }, created_at: '1969-12-31T23:59:59Z' }),
    ).rejects.toMatchObject({ code: 'invalid_timestamp' });
  });
});
