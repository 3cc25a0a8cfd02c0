import { useState, type FormEvent } from 'react';
import { createClient, revokeClient } from '../api/admin.js';
import type { ClientView } from '../api/types.js';
import { useClients } from '../resources/admin.js';
import { useEditable } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { Section } from '../ui/Section.js';
import { when } from '../ui/when.js';
import { Listing } from './Listing.js';
import { ShownOnce } from './ShownOnce.js';

/** The OAuth clients Fin gets its tokens with; the credentials shown once. */
export function Clients() {
  const { data, error, run } = useEditable(useClients(), keys.clients);
  const [secret, setSecret] = useState<string | null>(null);
  const create = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run(async () => {
      const created = await createClient(String(form.get('name')));
      setSecret(`client id ${created.client_id}, client secret ${created.client_secret}`);
    });
  };
  return (
    <Section title="OAuth clients" error={error}>
      <form className="row-form" onSubmit={create} aria-label="Create an OAuth client">
        <input name="name" required placeholder="Name" aria-label="Client name" />
        <button type="submit">Create client</button>
      </form>
      {secret && <ShownOnce label="Credentials" value={secret} />}
      <Listing<ClientView>
        items={data}
        columns={['Name', 'Id', 'Created', 'Revoked']}
        cells={(client) => [client.name, client.id, when(client.created_at), client.revoked_at ? when(client.revoked_at) : '—']}
        revoke={(client) => !client.revoked_at && (() => void run(() => revokeClient(client.id)))}
      />
    </Section>
  );
}
