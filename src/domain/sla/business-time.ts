/**
 * Business time (docs/decisions.md, "Business hours"): the opening hours of `SlaSettings` in its
 * IANA time zone, minus holidays. Pure; luxon does the time-zone arithmetic, daylight-saving
 * changes included.
 *
 * A business minute is a real minute inside opening hours: a range that spans a daylight-saving
 * change counts the hours that really pass (09:00–17:00 is 8 hours every day; 00:00–06:00 on the
 * night the clocks go forward is 5). A local time that does not exist that night (in the gap) means
 * moved forward by the gap's length (02:30 is 03:30); one that exists twice (in the overlap) means
 * the first.
 */
import { DateTime } from 'luxon';
import type { OpeningHours, SlaSettings, Weekday } from './sla-settings.js';

/** luxon's weekday numbers (Monday 1 … Sunday 7) to the settings' names. */
export const WEEKDAYS: readonly Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/**
 * Days looked at before giving up: ten years, far beyond any target, so a week without hours ends
 * the search. Settings whose target this cannot reach are refused when saved (check-sla-settings.ts).
 */
export const HORIZON_DAYS = 3660;

type BusinessHours = Pick<SlaSettings, 'timeZone' | 'week' | 'holidays'>;

/**
 * The instant `minutes` business minutes after `start` (ISO 8601), as ISO 8601 UTC with
 * milliseconds; `0` gives `start` when it is inside opening hours, else the next opening. Null
 * when HORIZON_DAYS of these hours and holidays hold fewer minutes (a week without opening hours:
 * nothing can ever be due).
 */
export function addBusinessMinutes(start: string, minutes: number, hours: BusinessHours): string | null {
  let remainingMs = Math.max(0, minutes) * 60_000;
  const from = DateTime.fromISO(start, { zone: hours.timeZone });
  if (!from.isValid) throw new RangeError(`not a time: ${start}`);
  const fromMs = from.toMillis();
  const holidays = new Set(hours.holidays);
  let day = from.startOf('day');
  for (let i = 0; i < HORIZON_DAYS; i++, day = day.plus({ days: 1 }).startOf('day')) {
    for (const [openMs, closeMs] of openRanges(day, hours, holidays)) {
      const begin = Math.max(openMs, fromMs);
      if (closeMs <= begin) continue;
      if (remainingMs <= closeMs - begin) return new Date(begin + remainingMs).toISOString();
      remainingMs -= closeMs - begin;
    }
  }
  return null;
}

/** Whether `at` (ISO 8601) is inside opening hours. */
export function isOpen(at: string, hours: BusinessHours): boolean {
  const instant = DateTime.fromISO(at, { zone: hours.timeZone });
  const ms = instant.toMillis();
  return openRanges(instant.startOf('day'), hours, new Set(hours.holidays)).some(([open, close]) => open <= ms && ms < close);
}

/** The day's opening ranges as instants (ms), in order; none on a holiday. `day` is local midnight in the zone. */
function openRanges(day: DateTime, hours: BusinessHours, holidays: ReadonlySet<string>): Array<[number, number]> {
  if (holidays.has(day.toISODate()!)) return [];
  const ranges = hours.week[WEEKDAYS[day.weekday - 1]!] ?? [];
  return ranges.map((range): [number, number] => [localInstant(day, range.open), localInstant(day, range.close)]).sort((a, b) => a[0] - b[0]);
}

/** `HH:MM` on `day` in its zone, as ms; `24:00` is the next midnight. */
function localInstant(day: DateTime, time: OpeningHours['open']): number {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  if (hour === 24) return day.plus({ days: 1 }).startOf('day').toMillis();
  return day.set({ hour, minute, second: 0, millisecond: 0 }).toMillis();
}
