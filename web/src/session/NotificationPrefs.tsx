/**
 * The Account dialog's email choices: for each event, always, only when away (away or offline when
 * the email would go), or never. Each choice saves at once; while Finch cannot send email
 * (FINCH_SMTP_URL unset) the choices are kept but the dialog says nothing is sent.
 */
import type { NotificationPrefsView } from '../api/notifications.js';
import { saveNotificationPrefs } from '../api/notifications.js';
import { useEditable } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { useNotificationPrefs } from '../resources/notifications.js';
import { ErrorNote } from '../ui/ErrorNote.js';

type EmailEvent = keyof NotificationPrefsView['email'];
type Choice = NotificationPrefsView['email'][EmailEvent];

const EVENTS: { event: EmailEvent; label: string }[] = [
  { event: 'handover', label: 'A customer is waiting for a person' },
  { event: 'assigned', label: 'A conversation is assigned to me' },
  { event: 'customer_reply', label: 'A customer replies in my conversation' },
  { event: 'sla', label: 'A reply or resolution is about to be late' },
];

const CHOICES: { value: Choice; label: string }[] = [
  { value: 'always', label: 'Always' },
  { value: 'when_away', label: 'When I am away' },
  { value: 'never', label: 'Never' },
];

export function NotificationPrefs() {
  const { data, error, run } = useEditable(useNotificationPrefs(), keys.notificationPrefs);
  if (!data) return <ErrorNote error={error} />;
  return (
    <fieldset className="notification-prefs" aria-labelledby="notification-prefs-title">
      <legend id="notification-prefs-title">Email me</legend>
      {data.email_enabled ? (
        <p className="hint">Emails go to {data.email_address}. “When I am away” means away or with no inbox open when the email would go.</p>
      ) : (
        <p className="banner" role="status">
          Email is off: Finch has no mail server (FINCH_SMTP_URL). Your choices are kept for when it has one.
        </p>
      )}
      <ErrorNote error={error} />
      {EVENTS.map(({ event, label }) => (
        <label key={event}>
          {label}
          <select
            name={event}
            value={data.email[event]}
            onChange={(change) => {
              // Read now: the select is controlled and shows the saved choice again until the save is read back.
              const choice = change.target.value as Choice;
              void run(() => saveNotificationPrefs({ email: { [event]: choice } }));
            }}
          >
            {CHOICES.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </label>
      ))}
    </fieldset>
  );
}
