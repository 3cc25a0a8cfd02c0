/**
 * The top bar's presence: the agent's own (a toggle between online and away) and who of the team
 * is around (a dot per agent: online, away, offline), kept live by the event stream's `team`
 * events. It keeps the stream open on every page, since an open inbox is what makes its agent
 * online (resources/live.ts), and sets the agent away when idle (idle.ts).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { putMyPresence } from '../api/presence.js';
import type { AgentView } from '../api/types.js';
import { keys } from '../resources/keys.js';
import { useLiveChanges } from '../resources/live.js';
import { useMyPresence } from '../resources/presence.js';
import { useAgents } from '../resources/team.js';
import { useIdleAway } from './idle.js';

type Status = 'online' | 'away' | 'offline';

export function PresenceDot(props: { status: Status }) {
  return <span className={`presence-dot ${props.status}`} aria-hidden="true" />;
}

export function TeamBar(props: { me: AgentView }) {
  useLiveChanges();
  const client = useQueryClient();
  const { data: presence } = useMyPresence();
  useIdleAway(presence?.away_after_minutes);
  const { data: agents } = useAgents();
  const [busy, setBusy] = useState(false);
  const chosen = presence?.chosen ?? 'online';
  const team = (agents ?? []).filter((agent) => !agent.is_fin && agent.active && agent.id !== props.me.id);

  const toggle = async () => {
    setBusy(true);
    try {
      client.setQueryData(keys.presence, await putMyPresence({ status: chosen === 'online' ? 'away' : 'online' }));
    } catch {
      // The bar shows what Finch last said; the next `team` event reads it again.
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="team-bar">
      <button
        type="button"
        className="presence-toggle"
        disabled={busy || !presence}
        aria-pressed={chosen === 'away'}
        title={chosen === 'online' ? 'You are online: click to go away' : 'You are away: click to come online'}
        onClick={() => void toggle()}
      >
        <PresenceDot status={chosen} />
        {chosen === 'online' ? 'Online' : presence?.automatic ? 'Away (idle)' : 'Away'}
      </button>
      <ul className="team" aria-label="Team">
        {team.map((agent) => {
          const status = agent.presence ?? 'offline';
          return (
            <li key={agent.id} title={`${agent.name}: ${status}`} data-presence={status}>
              <PresenceDot status={status} />
              <span className="team-name">{agent.name}</span>
              <span className="visually-hidden">{` (${status})`}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
