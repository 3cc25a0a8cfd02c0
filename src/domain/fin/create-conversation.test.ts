import { describe, expect, it } from 'vitest';
import { memoryContext } from '../../../test/support/domain.js';
import { createConversation } from './create-conversation.js';
import { createUser } from './create-user.js';

describe('createConversation', () => {
  it('starts open, assigned to the Fin agent, with the initial message as its first', async () => {
    const ctx = memoryContext();
    const user = (await createUser(ctx, { name: 'Sam' })).value;
    const { value } = await createConversation(ctx, {
      title: 'Hi',
      user_id: user.id,
      initial_message: { body: '<p>Hello</p>', author: { id: user.id, user_type: 'end_user' } },
    });
    expect(value.conversation).toMatchObject({ status: 'open', assignee: { isFin: true }, title: 'Hi', tags: [], attributes: {} });
    expect(await ctx.store.listMessages(value.conversation.id)).toEqual([value.initialMessage]);
  });

  it('replays a known object_id with the first conversation and its initial message', async () => {
    const ctx = memoryContext();
    const user = (await createUser(ctx, { name: 'Sam' })).value;
    const input = { object_id: 'ic-1', user_id: user.id, initial_message: { body: 'One', author: { id: user.id, user_type: 'end_user' as const } } };
    const first = await createConversation(ctx, input);
    const again = await createConversation(ctx, { ...input, title: 'Other', initial_message: { ...input.initial_message, body: 'Two' } });
    expect(again).toEqual({ value: first.value, replayed: true });
  });

  it('leaves nothing behind when it fails half way (the new user is rolled back)', async () => {
    const ctx = memoryContext();
    const stranger = (await createUser(ctx, { name: 'Stranger' })).value;
    await expect(
      createConversation(ctx, { user: { id: 'user_new', name: 'New' }, initial_message: { body: 'x', author: { id: stranger.id, user_type: 'end_user' } } }),
    ).rejects.toMatchObject({ code: 'unknown_author' });
    expect(await ctx.store.findUser('user_new')).toBeUndefined();
  });
});
