/** Admin → Business hours: the time zone, opening hours per weekday, holidays, and the SLA targets counted in them. */
import { useState, type FormEvent } from 'react';
import { saveBusinessHours, type BusinessHoursView } from '../api/business-hours.js';
import { useBusinessHours } from '../resources/business-hours.js';
import { useEditable } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { Section } from '../ui/Section.js';

type Weekday = keyof BusinessHoursView['week'];
const WEEKDAYS: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const RANGE = /^(\d{2}:\d{2})\s*[-–]\s*(\d{2}:\d{2})$/;

/** "09:00–12:00, 13:00–17:00" as ranges; throws with a sentence for the admin when a part is not a range. */
function parseDay(day: Weekday, text: string): BusinessHoursView['week'][Weekday] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const match = RANGE.exec(part);
      if (!match) throw new Error(`${capital(day)}: write each range as 09:00–17:00 ("${part}" is not one).`);
      return { open: match[1]!, close: match[2]! };
    });
}

/** A holiday as typed, when it is a date that exists; throws with a sentence naming it otherwise (Finch would refuse it too). */
function checkHoliday(date: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  // 2026-02-30 parses as 2 March: the date exists only when it reads back the same.
  const exists = Number.isFinite(ms) && new Date(ms).toISOString().startsWith(date);
  if (!exists) throw new Error(`Holiday ${date} is not a date: write each as YYYY-MM-DD, e.g. 2026-12-25.`);
  return date;
}

const capital = (word: string) => word[0]!.toUpperCase() + word.slice(1);
const showDay = (ranges: BusinessHoursView['week'][Weekday]) => ranges.map((range) => `${range.open}–${range.close}`).join(', ');

/** A target as entered: a number of minutes or hours, empty for none. */
function minutesOf(form: FormData, name: string): number | null {
  const amount = String(form.get(name) ?? '').trim();
  if (amount === '') return null;
  return Math.round(Number(amount) * (form.get(`${name}_unit`) === 'hours' ? 60 : 1));
}

function TargetField({ name, label, minutes }: { name: string; label: string; minutes: number | null }) {
  const inHours = minutes !== null && minutes % 60 === 0;
  return (
    <fieldset className="target">
      <legend>{label}</legend>
      <input
        name={name}
        type="number"
        min="1"
        step="any"
        aria-label={`${label} (amount)`}
        defaultValue={minutes === null ? '' : inHours ? minutes / 60 : minutes}
      />
      <select name={`${name}_unit`} aria-label={`${label} (unit)`} defaultValue={inHours ? 'hours' : 'minutes'}>
        <option value="minutes">business minutes</option>
        <option value="hours">business hours</option>
      </select>
    </fieldset>
  );
}

export function BusinessHours() {
  const { data, error, run } = useEditable(useBusinessHours(), keys.businessHours);
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setSaved(false);
    let settings: BusinessHoursView;
    try {
      settings = {
        time_zone: String(form.get('time_zone') ?? '').trim(),
        week: Object.fromEntries(WEEKDAYS.map((day) => [day, parseDay(day, String(form.get(day) ?? ''))])) as BusinessHoursView['week'],
        holidays: String(form.get('holidays') ?? '')
          .split(/[\s,]+/)
          .filter((date) => date !== '')
          .map(checkHoliday),
        first_reply_minutes: minutesOf(form, 'first_reply'),
        resolution_minutes: minutesOf(form, 'resolution'),
        write_reply_due_attribute: form.get('write_reply_due_attribute') === 'on',
      };
    } catch (problem) {
      setFormError((problem as Error).message);
      return;
    }
    setFormError(null);
    void run(() => saveBusinessHours(settings)).then(setSaved);
  };
  if (!data)
    return (
      <Section title="Business hours" error={error}>
        {null}
      </Section>
    );
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return (
    <Section title="Business hours" error={formError ?? error}>
      <p>SLA targets count only time inside these hours. New hours and targets apply from the next hand-over.</p>
      <form className="settings" onSubmit={save} key={JSON.stringify(data)} aria-label="Business hours">
        <label>
          Time zone
          <input name="time_zone" list="time-zones" required defaultValue={data.time_zone} />
          <datalist id="time-zones">
            {zones.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
        </label>
        <fieldset>
          <legend>Opening hours (e.g. 09:00–12:00, 13:00–17:00; empty: closed)</legend>
          {WEEKDAYS.map((day) => (
            <label key={day}>
              {capital(day)}
              <input name={day} defaultValue={showDay(data.week[day])} placeholder="closed" />
            </label>
          ))}
        </fieldset>
        <label>
          Holidays (local dates, YYYY-MM-DD, one per line)
          <textarea name="holidays" rows={4} defaultValue={data.holidays.join('\n')} />
        </label>
        <TargetField name="first_reply" label="First reply due within" minutes={data.first_reply_minutes} />
        <TargetField name="resolution" label="Resolution due within" minutes={data.resolution_minutes} />
        <label className="check">
          <input name="write_reply_due_attribute" type="checkbox" defaultChecked={data.write_reply_due_attribute} />
          Write the expected reply time into the conversation attribute finch_reply_due_at (for Fin’s workflows)
        </label>
        <button type="submit">Save business hours</button>
        {saved && <p role="status">Business hours saved.</p>}
      </form>
    </Section>
  );
}
