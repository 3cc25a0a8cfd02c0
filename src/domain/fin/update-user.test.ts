import { describe, expect, it } from 'vitest';
import { memoryContext } from '../../../test/support/domain.js';
import { createUser } from './create-user.js';
import { updateUser } from './update-user.js';

describe('updateUser', () => {
  it('merges attributes and bumps updated_at only when they change', async () => {
    const ctx = memoryContext();
    const user = (await createUser(ctx, { name: 'Sam', attributes: { plan: 'pro' } })).value;
    ctx.tick();
    const updated = await updateUser(ctx, { user_id: user.id, attributes: { seats: 3 } });
    expect(updated.attributes).toEqual({ plan: 'pro', seats: 3 });
    expect(updated.updatedAt > user.updatedAt).toBe(true);
    ctx.tick();
    expect((await updateUser(ctx, { user_id: user.id, attributes: { seats: 3 } })).updatedAt).toBe(updated.updatedAt);
  });

  it('answers not found for an unknown user', async () => {
    await expect(updateUser(memoryContext(), { user_id: 'user_x', attributes: {} })).rejects.toMatchObject({ kind: 'not_found', code: 'user_not_found' });
  });

  it('sets name, email and photo_url as sent: trimmed, blank is null, a loose email kept as text; absent leaves them', async () => {
    const ctx = memoryContext();
    const user = (await createUser(ctx, { name: 'Sam', email: 'sam@example.com', photo_url: 'https://example.com/sam.png' })).value;
    const updated = await updateUser(ctx, { user_id: user.id, email: ' jane@example ', photo_url: '' });
    expect(updated).toMatchObject({ name: 'Sam', email: 'jane@example', photoUrl: null });
    expect(await updateUser(ctx, { user_id: user.id, name: null })).toMatchObject({ name: null, email: 'jane@example' });
  });
});
