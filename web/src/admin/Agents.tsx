import { useState, type FormEvent } from 'react';
import { createAgent, patchAgent } from '../api/agents.js';
import type { AgentView } from '../api/types.js';
import { useEditable } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { useRouting } from '../resources/routing.js';
import { PresenceDot } from '../presence/TeamBar.js';
import { useAgents } from '../resources/team.js';
import { Section } from '../ui/Section.js';
import { Table } from '../ui/Table.js';
import { ShownOnce } from './ShownOnce.js';

const PRESENCE = { online: 'Online', away: 'Away', offline: 'Offline' } as const;

/**
 * Inviting agents (a password shown once), their presence (online, away, offline: as the team
 * bar's dots, with the word), their roles, how many open conversations routing may give each
 * (their capacity, else the routing default), deactivating and reactivating them. The table fits
 * a laptop's width; on a phone each agent is a card (styles.css, `.agents`), so no button is ever
 * out of sight.
 */
export function Agents({ me }: { me: AgentView }) {
  const { data, error, run } = useEditable(useAgents(), keys.agents);
  const routing = useRouting().data;
  /** An empty capacity returns the agent to the routing default. */
  const setCapacity = (agent: AgentView, event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get('capacity') ?? '').trim();
    void run(() => patchAgent(agent.id, { capacity: value === '' ? null : Number(value) }));
  };
  const [password, setPassword] = useState<string | null>(null);
  const invite = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const target = event.currentTarget;
    void run(async () => {
      const created = await createAgent({
        name: String(form.get('name')),
        email: String(form.get('email')),
        role: form.get('role') === 'admin' ? 'admin' : 'agent',
      });
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
      <Table className="agents" columns={['Name', 'Email', 'Presence', 'Role', 'Capacity', 'Status']}>
        {data?.map((agent) => (
          <tr key={agent.id}>
            <td className="agent-name">{agent.is_fin ? 'Fin (the agent that represents Fin)' : agent.name}</td>
            <td className="agent-email">{agent.email}</td>
            <td>
              {agent.presence === undefined ? (
                '—'
              ) : (
                <span className="presence" data-presence={agent.presence}>
                  <PresenceDot status={agent.presence} />
                  {PRESENCE[agent.presence]}
                </span>
              )}
            </td>
            <td>
              {agent.is_fin ? (
                '—'
              ) : (
                <select
                  aria-label={`Role of ${agent.name}`}
                  value={agent.role}
                  disabled={agent.id === me.id}
                  onChange={(event) => void run(() => patchAgent(agent.id, { role: event.target.value }))}
                >
                  <option value="agent">Agent</option>
                  <option value="admin">Admin</option>
                </select>
              )}
            </td>
            <td>
              {agent.is_fin ? (
                '—'
              ) : (
                <form className="row-form capacity" onSubmit={(event) => setCapacity(agent, event)} key={`${agent.id}:${agent.capacity ?? ''}`}>
                  <input
                    name="capacity"
                    type="number"
                    min={0}
                    max={1000}
                    step={1}
                    aria-label={`Capacity of ${agent.name}`}
                    defaultValue={agent.capacity ?? ''}
                    placeholder={routing ? `Default (${routing.capacity})` : 'Default'}
                    title={routing ? `Empty: the routing default (${routing.capacity})` : 'Empty: the routing default'}
                  />
                  <button type="submit" aria-label={`Set capacity of ${agent.name}`}>
                    Set
                  </button>
                  {agent.open_conversations !== undefined && <span className="hint"> {agent.open_conversations} open</span>}
                </form>
              )}
            </td>
            <td>{agent.active ? 'Active' : 'Deactivated'}</td>
            <td>
              {!agent.is_fin && agent.id !== me.id && (
                <button
                  type="button"
                  aria-label={agent.active ? `Deactivate ${agent.name}` : `Reactivate ${agent.name}`}
                  onClick={() => void run(() => patchAgent(agent.id, { active: !agent.active }))}
                >
                  {agent.active ? 'Deactivate' : 'Reactivate'}
                </button>
              )}
            </td>
          </tr>
        ))}
      </Table>
    </Section>
  );
}
