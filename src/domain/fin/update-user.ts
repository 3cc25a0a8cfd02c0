import type { UpdateUserInput } from '../../contract/requests.js';
import { checkAttributes } from '../attributes.js';
import { timestamp, type FinContext } from '../context.js';
import { notFound } from '../errors.js';
import type { EndUser } from '../model.js';
import { applyUserFields } from '../users.js';

/** Merges attributes into the end-user's (a key sent as null is removed). Other fields are ignored. */
export async function updateUser(ctx: FinContext, input: UpdateUserInput): Promise<EndUser> {
  // Before the transaction: a refused request costs no lock (and little time).
  checkAttributes(input.attributes, '/attributes');
  const at = timestamp(ctx);
  const user = await ctx.store.transaction((tx) => applyUserFields(tx, input.user_id, { attributes: input.attributes }, at));
  if (!user) throw notFound('user', input.user_id);
  return user;
}
