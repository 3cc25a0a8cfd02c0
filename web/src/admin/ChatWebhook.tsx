/**
 * Admin → Chat notifications: the team's incoming-webhook URL (Slack, Mattermost, Rocket.Chat,
 * Google Chat) and what is posted to it: hand-overs waiting longer than N minutes, SLA breaches.
 * The URL is shown masked once saved; leaving the field empty keeps it. How the last post went
 * is shown, and a test post can be sent.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { saveChatWebhook, testChatWebhook, type ChatWebhookAttempt } from '../api/notifications.js';
import { useEditable, useReread } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { useChatWebhook } from '../resources/notifications.js';
import { Section } from '../ui/Section.js';

export function ChatWebhook() {
  const { data, error, run } = useEditable(useChatWebhook(), keys.chatWebhook);
  const [saved, setSaved] = useState(false);
  const reread = useReread();
  const [testing, setTesting] = useState(false);
  const [testError, setTestError] = useState<string | null>(null);
  const sendTest = async () => {
    setTesting(true);
    setTestError(null);
    try {
      await testChatWebhook();
    } catch (caught) {
      // A refused post (502) is shown as the last attempt below; anything else is said here.
      if (!(caught instanceof ApiError && caught.code === 'chat_webhook_failed')) setTestError(caught instanceof Error ? caught.message : String(caught));
    }
    await reread(keys.chatWebhook);
    setTesting(false);
  };
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
      {data.configured && (
        <p role="status" aria-label="Last post" className={data.last_attempt && !data.last_attempt.ok ? 'error' : undefined}>
          {lastAttempt(data.last_attempt)}
        </p>
      )}
      {testError && <p role="alert">{testError}</p>}
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
          <button type="button" disabled={testing} onClick={() => void sendTest()}>
            {testing ? 'Sending a test post…' : 'Send a test post'}
          </button>
        )}
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

/** "Last post (test) failed at 14:56: hooks.slack.com answered 302", or that nothing was posted yet. */
function lastAttempt(attempt: ChatWebhookAttempt | null): string {
  if (!attempt) return 'Nothing posted yet.';
  const when = new Date(attempt.at).toLocaleString([], { dateStyle: 'short', timeStyle: 'medium' });
  const what = attempt.test ? 'Last post (a test)' : 'Last post';
  return attempt.ok ? `${what} went through at ${when}.` : `${what} failed at ${when}: ${attempt.error ?? 'no answer'}.`;
}
