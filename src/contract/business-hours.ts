/**
 * Business hours and SLA targets (Admin → Business hours): `GET`/`PUT /api/v1/settings/business-hours`.
 * The body of a PUT is the whole setting, as GET answers it.
 */
import Type, { type Static } from 'typebox';

const LocalTime = (description: string, close = false) =>
  Type.String({ pattern: close ? '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' : '^([01][0-9]|2[0-3]):[0-5][0-9]$', description });

export const OpeningRange = Type.Object(
  {
    open: LocalTime('Local opening time, HH:MM'),
    close: LocalTime('Local closing time, HH:MM, later than open on the same day (24:00: midnight at the end of the day)', true),
  },
  { additionalProperties: false },
);

const Day = Type.Array(OpeningRange, { maxItems: 6, description: 'The day’s opening ranges, none overlapping; empty: closed all day' });

export const Week = Type.Object(
  { monday: Day, tuesday: Day, wednesday: Day, thursday: Day, friday: Day, saturday: Day, sunday: Day },
  { additionalProperties: false },
);

/** Minutes of business time, at most 43,200 (720 business hours): a due time is worked out in the hand-over's transaction. */
const Target = (description: string) => Type.Union([Type.Integer({ minimum: 1, maximum: 43_200 }), Type.Null()], { description });

export const BusinessHoursView = Type.Object(
  {
    time_zone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone the hours and holidays are in, e.g. Europe/Berlin' }),
    week: Week,
    holidays: Type.Array(Type.String({ format: 'date', description: 'A local date, YYYY-MM-DD' }), {
      maxItems: 400,
      description: 'Days closed all day, as local dates',
    }),
    first_reply_minutes: Target('The first human reply after a hand-over is due this many business minutes later; null: no target'),
    resolution_minutes: Target('Resolving is due this many business minutes after the hand-over; null: no target'),
    write_reply_due_attribute: Type.Boolean({
      description: 'Write when the reply is due (ISO 8601) into the conversation attribute finch_reply_due_at, for Fin’s workflows',
    }),
  },
  { additionalProperties: false },
);
export type BusinessHoursView = Static<typeof BusinessHoursView>;

export const BusinessHoursInput = BusinessHoursView;
export type BusinessHoursInput = BusinessHoursView;
