/** Shared steps of the SLA tests: settings and events recorded as the use cases record them. */
import type { ActivityEvent } from '../../src/domain/activity/activity.js';
import { FIN_ACTOR, agentActor } from '../../src/domain/activity/activity.js';
import { recordActivity } from '../../src/domain/activity/record-activity.js';
import { DEFAULT_SLA, type SlaSettings } from '../../src/domain/sla/sla-settings.js';
import type { TestFinch } from '../support/finch.js';

const DAY = [{ open: '09:00', close: '17:00' }];

/** Weekdays 9 to 5 in Berlin, Christmas Eve and Day off, first reply in 60 business minutes, resolution in 8 hours. */
export const BERLIN: SlaSettings = {
  ...DEFAULT_SLA,
  timeZone: 'Europe/Berlin',
  week: { monday: DAY, tuesday: DAY, wednesday: DAY, thursday: DAY, friday: DAY, saturday: [], sunday: [] },
  holidays: ['2026-12-24', '2026-12-25'],
  firstReplyMinutes: 60,
  resolutionMinutes: 480,
};

export async function useSla(finch: TestFinch, settings: SlaSettings): Promise<void> {
  await finch.finch!.sla.putSlaSettings(settings, new Date().toISOString());
}

export function record(finch: TestFinch, events: ActivityEvent[]): Promise<void> {
  return finch.finch!.store.transaction((tx) => recordActivity(tx, events));
}

export const handedOver = (conversationId: string, at: string): ActivityEvent => ({
  conversationId,
  at,
  kind: 'handed_over',
  actor: FIN_ACTOR,
  details: { reason: null },
});

export const firstReply = (conversationId: string, at: string, agentId: string): ActivityEvent => ({
  conversationId,
  at,
  kind: 'first_human_reply',
  actor: agentActor(agentId),
  details: { agentId, messageId: 'msg_x' },
});

export const statusChanged = (conversationId: string, at: string, to: string): ActivityEvent => ({
  conversationId,
  at,
  kind: 'status_changed',
  actor: FIN_ACTOR,
  details: { from: 'open', to },
});

/** The conversation's SLA kinds recorded so far, oldest first. */
export async function slaActivity(finch: TestFinch, conversationId: string): Promise<Array<{ kind: string; details: unknown }>> {
  const entries = await finch.finch!.activity.listActivity(conversationId, { limit: 100 });
  return entries.filter((entry) => entry.kind.startsWith('sla_')).map(({ kind, details }) => ({ kind, details }));
}

/**
 * The SLA clock started again at `at`: a person replied (stopping the running clock, e.g. the one
 * Fin's hand-over started at the real time) and it was handed over again then.
 */
export function restartClock(finch: TestFinch, conversationId: string, at: string, agentId: string): Promise<void> {
  return record(finch, [firstReply(conversationId, at, agentId), handedOver(conversationId, at)]);
}
