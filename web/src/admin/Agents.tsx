import { useState, type FormEvent } from 'react';
import { createAgent, patchAgent } from '../api/agents.js';
import type { AgentView } from '../api/types.js';
import { useEditable } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { useAgents } from '../resources/team.js';
import { Section } from '../ui/Section.js';
import { Table } from '../ui/Table.js';
import { ShownOnce } from './ShownOnce.js';

/** Inviting agents (a password shown once), their roles, deactivating and reactivating them. */
export function Agents({ me }: { me: AgentView }) {
  const { data, error, run } = useEditable(useAgents(), keys.agents);
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
      <Table columns={['Name', 'Email', 'Role', 'Status']}>
        {data?.map((agent) => (
          <tr key={agent.id}>
            <td>{agent.is_fin ? 'Fin (the agent that represents Fin)' : agent.name}</td>
            <td>{agent.email}</td>
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
            <td>{agent.active ? 'Active' : 'Deactivated'}</td>
            <td>
              {!agent.is_fin && agent.id !== me.id && (
                <button type="button" onClick={() => void run(() => patchAgent(agent.id, { active: !agent.active }))}>
                  {agent.active ? `Deactivate ${agent.name}` : `Reactivate ${agent.name}`}
                </button>
              )}
            </td>
          </tr>
        ))}
      </Table>
    </Section>
  );
}
