import type { FormEvent } from 'react';
import { saveFinSettings } from '../api/admin.js';
import { useFinSettings } from '../resources/admin.js';
import { useEditable } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { Section } from '../ui/Section.js';
import { SignatureReport } from './SignatureReport.js';
import { when } from '../ui/when.js';

/** Where Finch notifies Fin, whether it does, how the last deliveries went, and how Fin's requests are signed. */
export function FinSettings() {
  const { data, error, run } = useEditable(useFinSettings(), keys.finSettings);
  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || null;
    const key = text('webhook_key');
    void run(() =>
      saveFinSettings({
        integration_id: text('integration_id'),
        region: (text('region') as 'us' | 'eu' | 'au' | null) ?? null,
        base_url: text('base_url'),
        ...(key ? { webhook_key: key } : {}),
      }),
    );
  };
  if (!data)
    return (
      <Section title="Fin settings" error={error}>
        {null}
      </Section>
    );
  return (
    <Section title="Fin settings" error={error}>
      <p role="status">
        {data.sending ? `Notifying Fin at ${data.webhook_url}` : `Not notifying Fin: ${data.not_sending_reason ?? 'not configured'}`}
        {data.overridden_by_environment.length > 0 && ` (set by environment: ${data.overridden_by_environment.join(', ')})`}
      </p>
      {!data.delivery.enabled && (
        <p className="banner">
          Delivery is disabled{data.delivery.disabled_reason ? `: ${data.delivery.disabled_reason}` : ''}.{' '}
          <button type="button" onClick={() => void run(() => saveFinSettings({ delivery_enabled: true }))}>
            Re-enable delivery
          </button>
        </p>
      )}
      <form className="settings" onSubmit={save} key={JSON.stringify(data)} aria-label="Fin settings">
        <label>
          Integration id
          <input name="integration_id" defaultValue={data.integration_id ?? ''} />
        </label>
        <label>
          Webhook key {data.webhook_key_set && '(set; leave empty to keep it)'}
          <input name="webhook_key" type="password" autoComplete="off" />
        </label>
        <label>
          Region
          <select name="region" defaultValue={data.region ?? ''}>
            <option value="">—</option>
            <option value="us">US</option>
            <option value="eu">EU</option>
            <option value="au">AU</option>
          </select>
        </label>
        <label>
          Custom Fin base URL
          <input name="base_url" type="url" defaultValue={data.base_url ?? ''} />
        </label>
        <button type="submit">Save Fin settings</button>
      </form>
      <p>
        Last delivered: {data.delivery.last_success_at ? when(data.delivery.last_success_at) : 'never'}
        {data.delivery.unreachable_since && `; Fin unreachable since ${when(data.delivery.unreachable_since)}`}
      </p>
      <SignatureReport />
    </Section>
  );
}
