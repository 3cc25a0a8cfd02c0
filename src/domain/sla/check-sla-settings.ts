/**
 * What makes business hours usable, beyond their form (the contract's schema checks that): a time
 * zone luxon knows (IANA), each range opening before it closes on the same day (no overnight
 * ranges: an evening and an early-morning range on consecutive days say the same), ranges of a
 * day not overlapping, holidays that are real dates. Each problem points at its field.
 */
import { DateTime, IANAZone } from 'luxon';
import { unprocessable } from '../errors.js';
import { WEEKDAYS } from './business-time.js';
import type { SlaSettings } from './sla-settings.js';

/** The settings as stored (ranges in order, holidays sorted without repeats), or `FinError` 422 pointing at the field. */
export function checkSlaSettings(settings: SlaSettings): SlaSettings {
  if (!IANAZone.isValidZone(settings.timeZone)) {
    throw unprocessable('invalid_time_zone', `${JSON.stringify(settings.timeZone)} is not an IANA time zone (e.g. Europe/Berlin).`, '/time_zone');
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
  return { ...settings, week, holidays: [...new Set(settings.holidays)].sort() };
}
