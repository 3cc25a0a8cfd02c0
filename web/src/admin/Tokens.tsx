import { useState, type FormEvent } from 'react';
import { createToken, revokeToken } from '../api/admin.js';
import type { TokenView } from '../api/types.js';
import { useTokens } from '../resources/admin.js';
import { useEditable } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { Section } from '../ui/Section.js';
import { when } from '../ui/when.js';
import { Listing } from './Listing.js';
import { ShownOnce } from './ShownOnce.js';

/** Personal API tokens (the agent API as the admin) and fixed tokens for Fin; the secret shown once. */
export function Tokens() {
  const { data, error, run } = useEditable(useTokens(), keys.tokens);
  const [secret, setSecret] = useState<string | null>(null);
  const create = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run(async () => setSecret((await createToken(String(form.get('name')), form.get('scope') === 'fin' ? 'fin' : 'agent')).token));
  };
  return (
    <Section title="API tokens" error={error}>
      <form className="row-form" onSubmit={create} aria-label="Create an API token">
        <input name="name" required placeholder="What it is for" aria-label="Token name" />
        <select name="scope" aria-label="Scope" defaultValue="agent">
          <option value="agent">Agent API (as me)</option>
          <option value="fin">Fin API (a fixed token for Fin)</option>
        </select>
        <button type="submit">Create token</button>
      </form>
      {secret && <ShownOnce label="Token" value={secret} />}
      <Listing<TokenView>
        items={data}
        columns={['Name', 'Scope', 'Created', 'Revoked']}
        cells={(token) => [token.name, token.scope, when(token.created_at), token.revoked_at ? when(token.revoked_at) : '—']}
        revoke={(token) => !token.revoked_at && (() => void run(() => revokeToken(token.id)))}
      />
    </Section>
  );
}
