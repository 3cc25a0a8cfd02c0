/** The business-time calculator: weekends, holidays, several ranges a day, daylight-saving changes, in non-UTC zones. */
import { describe, expect, it } from 'vitest';
import { addBusinessMinutes, isOpen } from '../../src/domain/sla/business-time.js';
import { DEFAULT_SLA, type SlaSettings } from '../../src/domain/sla/sla-settings.js';

const NINE_TO_FIVE = [{ open: '09:00', close: '17:00' }];
const weekdays = (ranges: SlaSettings['week']['monday']): SlaSettings['week'] => ({
  monday: ranges,
  tuesday: ranges,
  wednesday: ranges,
  thursday: ranges,
  friday: ranges,
  saturday: [],
  sunday: [],
});
const berlin: SlaSettings = { ...DEFAULT_SLA, timeZone: 'Europe/Berlin', week: weekdays(NINE_TO_FIVE) };
const newYork: SlaSettings = { ...DEFAULT_SLA, timeZone: 'America/New_York', week: weekdays(NINE_TO_FIVE) };

describe('addBusinessMinutes', () => {
  it('adds within the same opening range', () => {
    // Tuesday 2026-11-03 10:00 in Berlin is 09:00Z (CET, +01:00).
    expect(addBusinessMinutes('2026-11-03T09:00:00.000Z', 60, berlin)).toBe('2026-11-03T10:00:00.000Z');
  });

  it('starts counting at the next opening when closed', () => {
    // Tuesday 07:00 local: counting starts at 09:00 local (08:00Z).
    expect(addBusinessMinutes('2026-11-03T06:00:00.000Z', 30, berlin)).toBe('2026-11-03T08:30:00.000Z');
    // Tuesday 20:00 local: Wednesday 09:30 local.
    expect(addBusinessMinutes('2026-11-03T19:00:00.000Z', 30, berlin)).toBe('2026-11-04T08:30:00.000Z');
  });

  it('carries what is left across the weekend', () => {
    // Friday 2026-11-06 16:30 local: 30 min on Friday, 30 on Monday 2026-11-09 → 09:30 local (08:30Z).
    expect(addBusinessMinutes('2026-11-06T15:30:00.000Z', 60, berlin)).toBe('2026-11-09T08:30:00.000Z');
    // Saturday and Sunday start: Monday's opening.
    expect(addBusinessMinutes('2026-11-07T12:00:00.000Z', 0, berlin)).toBe('2026-11-09T08:00:00.000Z');
  });

  it('skips holidays (local dates), also right after a weekend', () => {
    const withHolidays = { ...berlin, holidays: ['2026-11-09', '2026-12-25'] };
    // Friday 16:30, Monday a holiday: Tuesday 09:30 local.
    expect(addBusinessMinutes('2026-11-06T15:30:00.000Z', 60, withHolidays)).toBe('2026-11-10T08:30:00.000Z');
    // Thursday 24 December 16:00 local, 25th a holiday, 26th/27th the weekend: Monday 28th 10:00 local.
    expect(addBusinessMinutes('2026-12-24T15:00:00.000Z', 120, withHolidays)).toBe('2026-12-28T09:00:00.000Z');
  });

  it('the holiday is the local date, not the UTC one', () => {
    // New York, Monday 2026-11-30 21:00 local is Tuesday 02:00Z; Tuesday (local) is a holiday.
    const tuesdayOff = { ...newYork, holidays: ['2026-12-01'] };
    // Due Wednesday 09:30 local (EST, -05:00) = 14:30Z.
    expect(addBusinessMinutes('2026-12-01T02:00:00.000Z', 30, tuesdayOff)).toBe('2026-12-02T14:30:00.000Z');
  });

  it('counts across a whole business week and more', () => {
    // 5 days of 8 hours from Monday 09:00 Berlin: the next Monday 09:00 (the range's end rolls to the next opening).
    expect(addBusinessMinutes('2026-11-02T08:00:00.000Z', 5 * 8 * 60, berlin)).toBe('2026-11-06T16:00:00.000Z');
    expect(addBusinessMinutes('2026-11-02T08:00:00.000Z', 5 * 8 * 60 + 1, berlin)).toBe('2026-11-09T08:01:00.000Z');
  });

  it('follows the wall clock over the spring daylight-saving change (Berlin, 29 March 2026)', () => {
    // Friday 27 March 16:00 CET (15:00Z), 2 hours: 1 on Friday, 1 on Monday 30 March 09:00 CEST (07:00Z) → 10:00 CEST = 08:00Z.
    expect(addBusinessMinutes('2026-03-27T15:00:00.000Z', 120, berlin)).toBe('2026-03-30T08:00:00.000Z');
  });

  it('follows the wall clock over the autumn change (New York, 1 November 2026)', () => {
    // Friday 30 October 16:00 EDT (20:00Z), 2 hours: Monday 2 November 10:00 EST = 15:00Z.
    expect(addBusinessMinutes('2026-10-30T20:00:00.000Z', 120, newYork)).toBe('2026-11-02T15:00:00.000Z');
  });

  it('counts the hours that really pass in a range spanning the change', () => {
    // Open round the clock on Sunday 29 March 2026 in Berlin: 23 real hours that day.
    const sunday: SlaSettings = { ...berlin, week: { ...weekdays([]), sunday: [{ open: '00:00', close: '24:00' }] } };
    // From local midnight (23:00Z Saturday), 23 hours is the end of the day; one minute more rolls to next Sunday.
    expect(addBusinessMinutes('2026-03-28T23:00:00.000Z', 23 * 60, sunday)).toBe('2026-03-29T22:00:00.000Z');
    expect(addBusinessMinutes('2026-03-28T23:00:00.000Z', 23 * 60 + 1, sunday)).toBe('2026-04-04T22:01:00.000Z');
    // 25 hours on the day the clocks go back (25 October 2026).
    expect(addBusinessMinutes('2026-10-24T22:00:00.000Z', 25 * 60, sunday)).toBe('2026-10-25T23:00:00.000Z');
  });

  it('uses several ranges a day, in any order given', () => {
    const split = {
      ...berlin,
      week: weekdays([
        { open: '13:00', close: '17:00' },
        { open: '08:00', close: '12:00' },
      ]),
    };
    // Tuesday 11:30 local (10:30Z), 60 min: 30 before lunch, 30 after → 13:30 local (12:30Z).
    expect(addBusinessMinutes('2026-11-03T10:30:00.000Z', 60, split)).toBe('2026-11-03T12:30:00.000Z');
    // During lunch: counting starts at 13:00.
    expect(addBusinessMinutes('2026-11-03T11:15:00.000Z', 10, split)).toBe('2026-11-03T12:10:00.000Z');
  });

  it('joins a range ending at 24:00 with one starting at 00:00 (the night shift)', () => {
    const nights = { ...berlin, week: { ...weekdays([]), monday: [{ open: '22:00', close: '24:00' }], tuesday: [{ open: '00:00', close: '06:00' }] } };
    // Monday 2026-11-02 23:00 local (22:00Z) + 3 h: 1 h Monday, 2 h Tuesday → 02:00 local (01:00Z).
    expect(addBusinessMinutes('2026-11-02T22:00:00.000Z', 180, nights)).toBe('2026-11-03T01:00:00.000Z');
  });

  it('keeps the instant when open and nothing is to be added', () => {
    expect(addBusinessMinutes('2026-11-03T09:12:34.567Z', 0, berlin)).toBe('2026-11-03T09:12:34.567Z');
  });

  it('is null when the week has no opening hours', () => {
    expect(addBusinessMinutes('2026-11-03T09:00:00.000Z', 10, { ...berlin, week: weekdays([]) })).toBeNull();
  });

  it('is round the clock in UTC for 24/7 hours', () => {
    const always = {
      ...DEFAULT_SLA,
      week: { ...weekdays([{ open: '00:00', close: '24:00' }]), saturday: [{ open: '00:00', close: '24:00' }], sunday: [{ open: '00:00', close: '24:00' }] },
    };
    expect(addBusinessMinutes('2026-11-07T23:50:00.000Z', 20, always)).toBe('2026-11-08T00:10:00.000Z');
  });
});

describe('isOpen', () => {
  it('knows opening hours in the zone', () => {
    expect(isOpen('2026-11-03T08:00:00.000Z', berlin)).toBe(true); // 09:00 local
    expect(isOpen('2026-11-03T16:00:00.000Z', berlin)).toBe(false); // 17:00 local: closed
    expect(isOpen('2026-11-07T10:00:00.000Z', berlin)).toBe(false); // Saturday
    expect(isOpen('2026-11-03T08:00:00.000Z', { ...berlin, holidays: ['2026-11-03'] })).toBe(false);
  });
});
