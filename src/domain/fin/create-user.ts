import type { CreateUserInput } from '../../contract/requests.js';
import { checkAttributes } from '../attributes.js';
import { timestamp, type FinContext } from '../context.js';
import type { EndUser } from '../model.js';
import { newUser } from '../users.js';
import type { Created } from './created.js';

/** Creates an end-user; a repeat with a known object_id returns the first one. */
export async function createUser(ctx: FinContext, input: CreateUserInput): Promise<Created<EndUser>> {
  // Before the transaction: a refused request costs no lock (and little time).
  checkAttributes(input.attributes, '/attributes');
  const at = timestamp(ctx);
  const { value, created } = await ctx.store.transaction((tx) => tx.insertUser(newUser(input, at)));
  return { value, replayed: !created };
}
