import type { UpdateUserInput } from '../../contract/requests.js';
import { checkAttributes } from '../attributes.js';
import { timestamp, type FinContext } from '../context.js';
import { notFound } from '../errors.js';
import type { EndUser } from '../model.js';
import { applyUserFields } from '../users.js';

/**
 * Fin tells what it learned of an end-user (an email given in the messenger, say). Attributes merge
 * key by key (a key sent as null is removed); `name`, `email` and `photo_url` replace the stored
 * ones when sent (null clears), kept as `users.ts` says: trimmed, `""` is null, never refused for
 * their form. An absent field is left unchanged. Unknown user: 404.
 */
export async function updateUser(ctx: FinContext, input: UpdateUserInput): Promise<EndUser> {
  // Before the transaction: a refused request costs no lock (and little time).
  checkAttributes(input.attributes, '/attributes');
  const at = timestamp(ctx);
  const { user_id: userId, ...fields } = input;
  const user = await ctx.store.transaction((tx) => applyUserFields(tx, userId, fields, at));
  if (!user) throw notFound('user', userId);
  return user;
}
