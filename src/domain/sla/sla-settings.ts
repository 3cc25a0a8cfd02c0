/**
 * Business hours and SLA targets (Admin → Business hours). The targets count business time only:
 * opening hours per weekday in `timeZone` (IANA), minus holidays (local dates).
 */
export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';

/** Local opening hours of one day, `HH:MM` to `HH:MM`. */
export interface OpeningHours {
  open: string;
  close: string;
}

export interface SlaSettings {
  timeZone: string;
  /** Per weekday, its opening hours (none: closed all day). */
  week: Record<Weekday, OpeningHours[]>;
  /** Closed all day, as local dates `YYYY-MM-DD`. */
  holidays: string[];
  /** The first human reply after a hand-over is due this many business minutes later; null: no target. */
  firstReplyMinutes: number | null;
  /** Resolving is due this many business minutes after the hand-over; null: no target. */
  resolutionMinutes: number | null;
  /** Write the expected reply time into the conversation attribute `finch_reply_due_at` (for Fin's workflows). */
  writeReplyDueAttribute: boolean;
}

const WORKDAY: OpeningHours[] = [{ open: '09:00', close: '17:00' }];

export const DEFAULT_SLA: SlaSettings = {
  timeZone: 'UTC',
  week: { monday: WORKDAY, tuesday: WORKDAY, wednesday: WORKDAY, thursday: WORKDAY, friday: WORKDAY, saturday: [], sunday: [] },
  holidays: [],
  firstReplyMinutes: null,
  resolutionMinutes: null,
  writeReplyDueAttribute: false,
};
