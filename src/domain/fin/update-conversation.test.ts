import { describe, expect, it } from 'vitest';
import { humanAgent, memoryContext } from '../../../test/support/domain.js';
import { FinError } from '../errors.js';
import { createConversation } from './create-conversation.js';
import { createUser } from './create-user.js';
import { normalizeTags } from '../conversation-changes.js';
import { updateConversation } from './update-conversation.js';

async function started() {
  const ctx = memoryContext();
  const user = (await createUser(ctx, { name: 'Sam' })).value;
  const { conversation } = (
    await createConversation(ctx, { user_id: user.id, initial_message: { body: 'Hi', author: { id: user.id, user_type: 'end_user' } } })
  ).value;
  ctx.tick();
  return { ctx, conversation };
}

describe('updateConversation', () => {
  it('hands over on assignee_id null', async () => {
    const { ctx, conversation } = await started();
    expect((await updateConversation(ctx, { conversation_id: conversation.id, assignee_id: null })).assignee).toBeNull();
  });

  it('leaves a human assignee in place and applies the rest', async () => {
    const { ctx, conversation } = await started();
    const hana = await humanAgent(ctx);
    await ctx.store.transaction((tx) => tx.updateConversation(conversation.id, { assigneeId: hana.id }, ctx.now().toISOString()));
    const fin = await ctx.store.findFinAgent();
    const updated = await updateConversation(ctx, { conversation_id: conversation.id, assignee_id: fin.id, status: 'resolved' });
    expect(updated.assignee?.id).toBe(hana.id);
    expect(updated.status).toBe('resolved');
  });

  it('writes nothing (updated_at stays) when nothing changes', async () => {
    const { ctx, conversation } = await started();
    const fin = await ctx.store.findFinAgent();
    const same = await updateConversation(ctx, {
      conversation_id: conversation.id,
      title: conversation.title,
      tags: [],
      attributes: {},
      status: 'open',
      assignee_id: fin.id,
      user: { name: 'Sam' },
    });
    expect(same.updatedAt).toBe(conversation.updatedAt);
  });

  it('refuses unknown ids, unknown agents and another end-user, changing nothing', async () => {
    const { ctx, conversation } = await started();
    await expect(updateConversation(ctx, { conversation_id: 'conv_x', title: 'x' })).rejects.toMatchObject({ kind: 'not_found' });
    await expect(updateConversation(ctx, { conversation_id: conversation.id, title: 'changed', assignee_id: 'agent_x' })).rejects.toMatchObject({
      code: 'unknown_agent',
    });
    await expect(updateConversation(ctx, { conversation_id: conversation.id, title: 'changed', user: { id: 'user_other', name: 'x' } })).rejects.toBeInstanceOf(
      FinError,
    );
    expect((await ctx.store.findConversation(conversation.id))?.title).toBe(conversation.title);
  });
});

describe('normalizeTags', () => {
  it('treats tags as a set: trimmed, no blanks, no repeats, first order kept', () => {
    expect(normalizeTags([' vip', 'billing', 'vip', '', '  '])).toEqual(['vip', 'billing']);
    expect(normalizeTags(null)).toEqual([]);
  });
});
