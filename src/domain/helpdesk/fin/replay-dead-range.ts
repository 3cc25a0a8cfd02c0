import type { ReplayRange } from '../../../contract/agent-api.js';
import { unprocessable } from '../../errors.js';
import { normalizeTimestamp } from '../../time.js';
import type { HelpdeskContext } from '../context.js';

/**
 * Sends again every dead-lettered event written in [from, to); returns how many. 422 `empty_range`,
 * and 422 `invalid_timestamp` for a time outside the years 1970–9999 (or one JavaScript cannot
 * read, such as a leap second), which no event has.
 */
export async function replayDeadRange(ctx: HelpdeskContext, range: ReplayRange): Promise<number> {
  const from = normalizeTimestamp(range.from, '/from');
  const to = normalizeTimestamp(range.to, '/to');
  if (from >= to) throw unprocessable('empty_range', '`from` must come before `to`.', '/to');
  const at = ctx.now().toISOString();
  const replayed = await ctx.transaction((tx) => tx.deliveries.replayDead(from, to, at));
  if (replayed > 0) ctx.outboxWritten();
  return replayed;
}
