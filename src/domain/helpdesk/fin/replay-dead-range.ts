import type { ReplayRange } from '../../../contract/agent-api.js';
import { unprocessable } from '../../errors.js';
import { isFinchTime } from '../cursor.js';
import type { HelpdeskContext } from '../context.js';

/**
 * Sends again every dead-lettered event written in [from, to); returns how many. 422 `empty_range`,
 * and 422 `invalid_timestamp` for a time outside the years 0001–9999 (which no column holds) or one
 * JavaScript cannot read (a leap second).
 */
export async function replayDeadRange(ctx: HelpdeskContext, range: ReplayRange): Promise<number> {
  const from = storableTime(range.from, '/from');
  const to = storableTime(range.to, '/to');
  if (from >= to) throw unprocessable('empty_range', '`from` must come before `to`.', '/to');
  const at = ctx.now().toISOString();
  const replayed = await ctx.transaction((tx) => tx.deliveries.replayDead(from, to, at));
  if (replayed > 0) ctx.outboxWritten();
  return replayed;
}

function storableTime(value: string, pointer: string): string {
  const ms = Date.parse(value);
  const time = Number.isFinite(ms) ? new Date(ms).toISOString() : '';
  if (!isFinchTime(time)) throw unprocessable('invalid_timestamp', `${JSON.stringify(value)} is not a time Finch can look for.`, pointer);
  return time;
}
