import type { ReplayRange } from '../../../contract/agent-api.js';
import { unprocessable } from '../../errors.js';
import type { HelpdeskContext } from '../context.js';

/** Sends again every dead-lettered event written in [from, to); returns how many. 422 `empty_range`. */
export async function replayDeadRange(ctx: HelpdeskContext, range: ReplayRange): Promise<number> {
  const from = new Date(range.from).toISOString();
  const to = new Date(range.to).toISOString();
  if (from >= to) throw unprocessable('empty_range', '`from` must come before `to`.', '/to');
  const replayed = await ctx.outbox.replayDead(from, to, ctx.now().toISOString());
  if (replayed > 0) ctx.outboxWritten();
  return replayed;
}
