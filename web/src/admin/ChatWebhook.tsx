/**
 * Admin → Chat notifications: the team's incoming-webhook URL (Slack, Mattermost, Rocket.Chat,
 * Google Chat) and what is posted to it: hand-overs waiting longer than N minutes, SLA breaches.
 * The URL is shown masked once saved; leaving the field empty keeps it.
 */
import { useState, type FormEvent } from 'react';
import { saveChatWebhook } from '../api/notifications.js';
import { useEditable } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { useChatWebhook } from '../resources/notifications.js';
import { Section } from '../ui/Section.js';

export function ChatWebhook() {
  const { data, error, run } = useEditable(useChatWebhook(), keys.chatWebhook);
  const [saved, setSaved] = useState(false);
  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const url = String(form.get('url') ?? '').trim();
    setSaved(false);
    void run(() =>
      saveChatWebhook({
        ...(url ? { url } : {}),
        waiting_minutes: Number(form.get('waiting_minutes') ?? 0),
        sla_breaches: form.get('sla_breaches') === 'on',
      }),
    ).then(setSaved);
  };
  if (!data)
    return (
      <Section title="Chat notifications" error={error}>
        {null}
      </Section>
    );
  return (
    <Section title="Chat notifications" error={error}>
      <p role="status">{data.configured ? `Posting to ${data.url_masked}` : 'No chat webhook: nothing is posted.'}</p>
      <form className="settings" onSubmit={save} key={JSON.stringify(data)} aria-label="Chat notifications">
        <label>
          Incoming webhook URL {data.configured && '(set; leave empty to keep it)'}
          <input name="url" type="url" autoComplete="off" placeholder="https://hooks.slack.com/services/…" />
        </label>
        <label>
          Post when a hand-over has waited longer than (minutes; 0: never)
          <input name="waiting_minutes" type="number" min="0" max="10080" required defaultValue={data.waiting_minutes} />
        </label>
        <label className="check">
          <input name="sla_breaches" type="checkbox" defaultChecked={data.sla_breaches} />
          Post when an SLA target is missed
        </label>
        <button type="submit">Save chat notifications</button>
        {data.configured && (
          <button type="button" onClick={() => void run(() => saveChatWebhook({ url: null }))}>
            Remove the webhook
          </button>
        )}
        {saved && <span role="status">Saved.</span>}
      </form>
    </Section>
  );
}
