import { describe, expect, it } from 'vitest';
import { humanAgent, memoryContext } from '../../../test/support/domain.js';
import { FinError } from '../errors.js';
import { createConversation } from './create-conversation.js';
import { createUser } from './create-user.js';
import { fieldChanges, normalizeTags, type ConversationFieldsInput } from '../conversation-changes.js';
import { withPeopleEdits } from '../people-edits.js';
import { getConversation } from './get-conversation.js';
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

  it('leaves a human assignee and the status in place and applies the rest', async () => {
    const { ctx, conversation } = await started();
    const hana = await humanAgent(ctx);
    await ctx.store.transaction((tx) => tx.updateConversation(conversation.id, { assigneeId: hana.id }, ctx.now().toISOString()));
    const fin = await ctx.store.findFinAgent();
    const updated = await updateConversation(ctx, { conversation_id: conversation.id, assignee_id: fin.id, status: 'resolved', title: 'Fin titles it' });
    expect(updated.assignee?.id).toBe(hana.id);
    expect(updated).toMatchObject({ status: 'open', title: 'Fin titles it' });
  });

  it("keeps people's changes against Fin's update from before it read them, and asks Fin to pull again (memory store)", async () => {
    const { ctx, conversation } = await started();
    await updateConversation(ctx, { conversation_id: conversation.id, title: 'Fin', tags: ['fin'], attributes: { plan: 'pro' } });
    const seen = await getConversation(ctx, { conversation_id: conversation.id });
    await peopleChange(ctx, conversation.id, { title: 'Agent', tags: ['fin', 'vip'], attributes: { plan: 'team' }, status: 'resolved' });

    const stale = await updateConversation(ctx, {
      conversation_id: conversation.id,
      title: seen.title,
      tags: seen.tags,
      attributes: seen.attributes,
      status: 'open',
    });
    expect(stale).toMatchObject({ title: 'Agent', tags: ['fin', 'vip'], attributes: { plan: 'team' }, status: 'resolved' });
    expect(ctx.store.syncRequests.map((request) => request.conversationId)).toEqual([conversation.id]);

    await getConversation(ctx, { conversation_id: conversation.id });
    const fresh = await updateConversation(ctx, {
      conversation_id: conversation.id,
      title: 'Fin again',
      tags: ['other'],
      attributes: { plan: 'free' },
      status: 'closed',
    });
    expect(fresh).toMatchObject({ title: 'Fin again', tags: ['other', 'vip'], attributes: { plan: 'free' }, status: 'closed' });
    expect(ctx.store.syncRequests).toHaveLength(1);
  });

  it('records what Fin read only when people changed something since (a read writes nothing otherwise)', async () => {
    const { ctx, conversation } = await started();
    await getConversation(ctx, { conversation_id: conversation.id });
    expect((await ctx.store.findConversation(conversation.id))?.peopleEdits).toBeNull();
    await peopleChange(ctx, conversation.id, { title: 'Agent' });
    expect((await ctx.store.findConversation(conversation.id))?.peopleEdits).toMatchObject({ rev: 1, finRead: 0 });
    await getConversation(ctx, { conversation_id: conversation.id });
    expect((await ctx.store.findConversation(conversation.id))?.peopleEdits).toMatchObject({ rev: 1, finRead: 1 });
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

/** A change made on the helpdesk side, recorded as people's (as changeConversation does). */
async function peopleChange(ctx: ReturnType<typeof memoryContext>, id: string, fields: ConversationFieldsInput) {
  await ctx.store.transaction(async (tx) => {
    const current = (await tx.lockConversation(id))!;
    await tx.updateConversation(id, withPeopleEdits(current, fieldChanges(current, fields)), ctx.now().toISOString());
  });
}

describe('normalizeTags', () => {
  it('treats tags as a set: trimmed, no blanks, no repeats, first order kept', () => {
    expect(normalizeTags([' vip', 'billing', 'vip', '', '  '])).toEqual(['vip', 'billing']);
    expect(normalizeTags(null)).toEqual([]);
  });
});
