/**
 * What makes business hours usable, beyond their form (the contract's schema checks that): a time
 * zone luxon knows (IANA), stored in its one spelling (time-zone.ts), each range opening before it
 * closes on the same day (no overnight ranges: an evening and an early-morning range on
 * consecutive days say the same), ranges of a day not overlapping, holidays that are real dates,
 * and targets these hours can reach (else a hand-over would silently get no due time). Each
 * problem points at its field.
 */
import { DateTime, IANAZone } from 'luxon';
import { unprocessable } from '../errors.js';
import { HORIZON_DAYS, WEEKDAYS, addBusinessMinutes } from './business-time.js';
import type { SlaSettings } from './sla-settings.js';
import { canonicalTimeZone } from './time-zone.js';

/**
 * The settings as stored (the time zone's one spelling, ranges in order, holidays sorted without
 * repeats), or `FinError` 422 pointing at the field. `now` (ISO 8601) is where reaching the
 * targets is tried from: with the holidays ahead of it.
 */
export function checkSlaSettings(settings: SlaSettings, now: string): SlaSettings {
  const timeZone = canonicalTimeZone(settings.timeZone);
  if (timeZone === undefined || !IANAZone.isValidZone(timeZone)) {
    throw unprocessable(
      'invalid_time_zone',
      `${JSON.stringify(settings.timeZone)} is not an IANA time zone of a place (e.g. Europe/Berlin, America/New_York) or UTC.`,
      '/time_zone',
    );
  }
  const week = { ...settings.week };
  for (const day of WEEKDAYS) {
    const ranges = settings.week[day].map((range, index) => ({ ...range, index }));
    for (const range of ranges) {
      if (range.close <= range.open) {
        throw unprocessable(
          'invalid_opening_hours',
          `On ${day} a range closes (${range.close}) before it opens (${range.open}).`,
          `/week/${day}/${range.index}/close`,
        );
      }
    }
    ranges.sort((a, b) => (a.open < b.open ? -1 : 1));
    for (let i = 1; i < ranges.length; i++) {
      if (ranges[i]!.open < ranges[i - 1]!.close) {
        throw unprocessable('invalid_opening_hours', `On ${day} two ranges overlap.`, `/week/${day}/${ranges[i]!.index}/open`);
      }
    }
    week[day] = ranges.map(({ open, close }) => ({ open, close }));
  }
  settings.holidays.forEach((date, index) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !DateTime.fromISO(date).isValid) {
      throw unprocessable('invalid_holiday', `${JSON.stringify(date)} is not a date (YYYY-MM-DD).`, `/holidays/${index}`);
    }
  });
  const checked = { ...settings, timeZone, week, holidays: [...new Set(settings.holidays)].sort() };
  requireReachable(checked, now);
  return checked;
}

const TARGETS = [
  ['firstReplyMinutes', '/first_reply_minutes', 'first-reply'],
  ['resolutionMinutes', '/resolution_minutes', 'resolution'],
] as const;

/**
 * Each target set must give a due time: 422 `unreachable_target` at the target when no day has
 * opening hours, or when these hours and holidays do not hold that many minutes within the
 * calculator's horizon (HORIZON_DAYS) from `now`.
 */
function requireReachable(settings: SlaSettings, now: string): void {
  const open = WEEKDAYS.some((day) => settings.week[day].length > 0);
  for (const [field, pointer, name] of TARGETS) {
    const minutes = settings[field];
    if (minutes === null) continue;
    if (!open) throw unprocessable('unreachable_target', `No day has opening hours, so a ${name} target can never be reached.`, pointer);
    if (addBusinessMinutes(now, minutes, settings) === null) {
      throw unprocessable(
        'unreachable_target',
        `With these opening hours and holidays, a ${name} target of ${minutes.toLocaleString('en')} business minutes is not reached within ${Math.round(HORIZON_DAYS / 366)} years.`,
        pointer,
      );
    }
  }
}
