import type { ReplayRange } from '../../../contract/agent-api.js';
import { unprocessable } from '../../errors.js';
import type { HelpdeskContext } from '../context.js';

/** Sends again every dead-lettered event written in [from, to); returns how many. 422 `empty_range`. */
export async function replayDeadRange(ctx: HelpdeskContext, range: ReplayRange): Promise<number> {
  const from = new Date(range.from).toISOString();
  const to = new Date(range.to).toISOString();
  if (from >= to) throw unprocessable('empty_range', '`from` must come before `to`.', '/to');
  const at = ctx.now().toISOString();
  const replayed = await ctx.transaction((tx) => tx.deliveries.replayDead(from, to, at));
  if (replayed > 0) ctx.outboxWritten();
  return replayed;
}
