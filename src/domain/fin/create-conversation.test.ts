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
    await expect(
      createConversation(ctx, { user: { id: 'user_new', name: 'New' }, initial_message: { body: 'x', author: { id: 'agent_nope', user_type: 'agent' } } }),
    ).rejects.toMatchObject({ code: 'unknown_author' });
    expect(await ctx.store.findUser('user_new')).toBeUndefined();
  });

  it("takes an initial message without an author, or with an end-user author of another id, as the end-user's", async () => {
    const ctx = memoryContext();
    const { value } = await createConversation(ctx, { user: { name: 'Ann' }, initial_message: { body: 'Hi' } });
    expect(value.initialMessage.author).toEqual({ type: 'end_user', user: value.conversation.user });
    const stranger = (await createUser(ctx, { name: 'Stranger' })).value;
    const other = await createConversation(ctx, { user: { name: 'Bo' }, initial_message: { body: 'Hi', author: { id: stranger.id, user_type: 'end_user' } } });
    expect(other.value.initialMessage.author).toEqual({ type: 'end_user', user: other.value.conversation.user });
  });

  it("merges the initial message's attributes into the conversation's, the top-level ones winning a shared key", async () => {
    const ctx = memoryContext();
    const user = (await createUser(ctx, { name: 'Sam' })).value;
    const { value } = await createConversation(ctx, {
      user_id: user.id,
      attributes: { priority: 'Low' },
      initial_message: { body: 'Hi', attributes: { issue_type: 'Billing', priority: 'High', none: null } },
    });
    expect(value.conversation.attributes).toEqual({ issue_type: 'Billing', priority: 'Low' });
  });

  it('reads an empty object_id, user_id or user id as absent', async () => {
    const ctx = memoryContext();
    const input = { object_id: '', user_id: '', user: { id: '', name: 'Ann' }, initial_message: { body: 'Hi', object_id: '' } };
    const first = await createConversation(ctx, input);
    const second = await createConversation(ctx, input);
    expect(second.replayed).toBe(false);
    expect(second.value.conversation.id).not.toBe(first.value.conversation.id);
    expect(first.value.conversation).toMatchObject({ objectId: null, user: { name: 'Ann', objectId: null } });
    expect(first.value.initialMessage.objectId).toBeNull();
  });
});
