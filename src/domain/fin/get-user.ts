import type { GetUserInput } from '../../contract/requests.js';
import type { FinContext } from '../context.js';
import { notFound } from '../errors.js';
import type { EndUser } from '../model.js';

export async function getUser(ctx: FinContext, input: GetUserInput): Promise<EndUser> {
  const user = await ctx.store.findUser(input.user_id);
  if (!user) throw notFound('user', input.user_id);
  return user;
}
