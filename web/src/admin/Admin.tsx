import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNote, useLoaded } from '../ui/common.js';
import { api, type AgentView, type ClientView, type DeliveryView, type FinSettingsView, type TokenView } from '../api/client.js';
import { when } from '../ui/format.js';
import { navigate } from '../router.js';

const SECTIONS: [string, string][] = [
  ['agents', 'Agents'],
  ['tokens', 'API tokens'],
  ['clients', 'OAuth clients'],
  ['fin', 'Fin settings'],
  ['deliveries', 'Delivery log'],
];

export function Admin({ section, me }: { section: string; me: AgentView }) {
  return (
    <div className="admin">
      <nav className="sidebar" aria-label="Admin sections">
        <ul>
          {SECTIONS.map(([id, label]) => (
            <li key={id}>
              <a href={`/admin/${id}`} aria-current={section === id ? 'page' : undefined} className={section === id ? 'queue current' : 'queue'} onClick={(event) => (event.preventDefault(), navigate(`/admin/${id}`))}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="admin-main">
        {section === 'agents' && <Agents me={me} />}
        {section === 'tokens' && <Tokens />}
        {section === 'clients' && <Clients />}
        {section === 'fin' && <FinSettings />}
        {section === 'deliveries' && <Deliveries />}
      </main>
    </div>
  );
}

function Section({ title, error, children }: { title: string; error: string | null; children: ReactNode }) {
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">{title}</h1>
      <ErrorNote error={error} />
      {children}
    </section>
  );
}

/** A secret shown once, right after it was made. */
function ShownOnce({ label, value }: { label: string; value: string }) {
  return (
    <p className="secret" role="status">
      {label} (shown only now): <code>{value}</code>
    </p>
  );
}

function Agents({ me }: { me: AgentView }) {
  const { data, error, run } = useLoaded(api.agents);
  const [password, setPassword] = useState<string | null>(null);
  const invite = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const target = event.currentTarget;
    void run(async () => {
      const created = await api.createAgent({ name: String(form.get('name')), email: String(form.get('email')), role: form.get('role') === 'admin' ? 'admin' : 'agent' });
      setPassword(created.password ? `${created.agent.email}: ${created.password}` : null);
      target.reset();
    });
  };
  return (
    <Section title="Agents" error={error}>
      <form className="row-form" onSubmit={invite} aria-label="Invite an agent">
        <input name="name" required placeholder="Name" aria-label="Name" />
        <input name="email" type="email" required placeholder="Email" aria-label="Email" />
        <select name="role" aria-label="Role" defaultValue="agent">
          <option value="agent">Agent</option>
          <option value="admin">Admin</option>
        </select>
        <button type="submit">Invite</button>
      </form>
      {password && <ShownOnce label="Password" value={password} />}
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Role</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data?.map((agent) => (
              <tr key={agent.id}>
                <td>{agent.is_fin ? 'Fin (the agent that represents Fin)' : agent.name}</td>
                <td>{agent.email}</td>
                <td>
                  {agent.is_fin ? (
                    '—'
                  ) : (
                    <select aria-label={`Role of ${agent.name}`} value={agent.role} disabled={agent.id === me.id} onChange={(event) => void run(() => api.patchAgent(agent.id, { role: event.target.value }))}>
                      <option value="agent">Agent</option>
                      <option value="admin">Admin</option>
                    </select>
                  )}
                </td>
                <td>{agent.active ? 'Active' : 'Deactivated'}</td>
                <td>
                  {!agent.is_fin && agent.id !== me.id && (
                    <button type="button" onClick={() => void run(() => api.patchAgent(agent.id, { active: !agent.active }))}>
                      {agent.active ? `Deactivate ${agent.name}` : `Reactivate ${agent.name}`}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function Tokens() {
  const { data, error, run } = useLoaded(api.tokens);
  const [secret, setSecret] = useState<string | null>(null);
  const create = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run(async () => setSecret((await api.createToken(String(form.get('name')), form.get('scope') === 'fin' ? 'fin' : 'agent')).token));
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
      <Listing<TokenView> items={data} columns={['Name', 'Scope', 'Created', 'Revoked']} cells={(token) => [token.name, token.scope, when(token.created_at), token.revoked_at ? when(token.revoked_at) : '—']} revoke={(token) => !token.revoked_at && (() => void run(() => api.revokeToken(token.id)))} />
    </Section>
  );
}

function Clients() {
  const { data, error, run } = useLoaded(api.clients);
  const [secret, setSecret] = useState<string | null>(null);
  const create = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run(async () => {
      const created = await api.createClient(String(form.get('name')));
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
      <Listing<ClientView> items={data} columns={['Name', 'Id', 'Created', 'Revoked']} cells={(client) => [client.name, client.id, when(client.created_at), client.revoked_at ? when(client.revoked_at) : '—']} revoke={(client) => !client.revoked_at && (() => void run(() => api.revokeClient(client.id)))} />
    </Section>
  );
}

function Listing<T extends { id: string; name: string }>(props: { items: T[] | null; columns: string[]; cells: (item: T) => string[]; revoke: (item: T) => false | (() => void) }) {
  return (
    <div className="table-scroll">
      <table>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th key={column}>{column}</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {props.items?.map((item) => {
            const revoke = props.revoke(item);
            return (
              <tr key={item.id}>
                {props.cells(item).map((cell, index) => (
                  <td key={index}>{cell}</td>
                ))}
                <td>
                  {revoke && (
                    <button type="button" onClick={revoke}>
                      Revoke {item.name}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function FinSettings() {
  const { data, error, run } = useLoaded(api.finSettings);
  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || null;
    const key = text('webhook_key');
    void run(() =>
      api.saveFinSettings({
        integration_id: text('integration_id'),
        region: (text('region') as 'us' | 'eu' | 'au' | null) ?? null,
        base_url: text('base_url'),
        ...(key ? { webhook_key: key } : {}),
      }),
    );
  };
  if (!data) return <Section title="Fin settings" error={error}>{null}</Section>;
  return (
    <Section title="Fin settings" error={error}>
      <p role="status">
        {data.sending ? `Notifying Fin at ${data.webhook_url}` : `Not notifying Fin: ${data.not_sending_reason ?? 'not configured'}`}
        {data.overridden_by_environment.length > 0 && ` (set by environment: ${data.overridden_by_environment.join(', ')})`}
      </p>
      {!data.delivery.enabled && (
        <p className="banner">
          Delivery is disabled{data.delivery.disabled_reason ? `: ${data.delivery.disabled_reason}` : ''}.{' '}
          <button type="button" onClick={() => void run(() => api.saveFinSettings({ delivery_enabled: true }))}>
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
    </Section>
  );
}

function Deliveries() {
  const [outcome, setOutcome] = useState('');
  const [items, setItems] = useState<DeliveryView[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    async (cursor: string | null) => {
      try {
        const page = await api.deliveries({ cursor, ...(outcome ? { outcome } : {}) });
        setItems((current) => (cursor ? [...current, ...page.items] : page.items));
        setNext(page.next);
        setError(null);
      } catch (failure) {
        setError((failure as Error).message);
      }
    },
    [outcome],
  );
  useEffect(() => {
    void load(null);
  }, [load]);
  return (
    <Section title="Delivery log" error={error}>
      <label>
        Outcome
        <select value={outcome} onChange={(event) => setOutcome(event.target.value)}>
          <option value="">Any</option>
          {['delivered', 'retry', 'dead', 'expired', 'disabled'].map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </label>
      <div className="table-scroll">
        <table className="deliveries">
          <thead>
            <tr>
              <th>When</th>
              <th>Conversation</th>
              <th>Kind</th>
              <th>Attempt</th>
              <th>Status</th>
              <th>Latency</th>
              <th>Outcome</th>
              <th>Error</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((delivery) => (
              <tr key={delivery.id}>
                <td>{when(delivery.created_at)}</td>
                <td className="id">
                  <a href={`/c/${encodeURIComponent(delivery.conversation_id)}`} onClick={(event) => (event.preventDefault(), navigate(`/c/${encodeURIComponent(delivery.conversation_id)}`))}>
                    {delivery.conversation_id}
                  </a>
                </td>
                <td>{delivery.kind}</td>
                <td>{delivery.attempt}</td>
                <td>{delivery.status_code ?? '—'}</td>
                <td>{delivery.latency_ms === null ? '—' : `${delivery.latency_ms} ms`}</td>
                <td>{delivery.outcome}</td>
                <td className="text">{problemOf(delivery)}</td>
                <td>
                  {delivery.kind === 'sync' && delivery.outcome !== 'delivered' && (
                    <button type="button" onClick={() => void api.replay(delivery.id).then(() => load(null), (failure: Error) => setError(failure.message))}>
                      Replay
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {next && (
        <button type="button" onClick={() => void load(next)}>
          Older
        </button>
      )}
    </Section>
  );
}

/**
 * What went wrong with a delivery: its error, or for a refused one what Fin answered. A delivered
 * row has neither: Fin's answer to a success ({"status":"accepted"}) is no error.
 */
function problemOf(delivery: DeliveryView): string {
  if (delivery.outcome === 'delivered') return '';
  if (delivery.error) return delivery.response_excerpt ? `${delivery.error} (Fin answered: ${delivery.response_excerpt})` : delivery.error;
  return delivery.response_excerpt ? `Fin answered: ${delivery.response_excerpt}` : '';
}
