import type { AgentView } from '../api/types.js';
import { navigate } from '../router.js';
import { Agents } from './Agents.js';
import { BusinessHours } from './BusinessHours.js';
import { ChatWebhook } from './ChatWebhook.js';
import { Routing } from './Routing.js';
import { PresenceSettings } from '../presence/PresenceSettings.js';
import { Clients } from './Clients.js';
import { Deliveries } from './Deliveries.js';
import { FinSettings } from './FinSettings.js';
import { Tokens } from './Tokens.js';

const SECTIONS: [string, string][] = [
  ['agents', 'Agents'],
  ['tokens', 'API tokens'],
  ['clients', 'OAuth clients'],
  ['routing', 'Routing'],
  ['presence', 'Presence'],
  ['business-hours', 'Business hours'],
  ['chat', 'Chat notifications'],
  ['fin', 'Fin settings'],
  ['deliveries', 'Delivery log'],
];

/** The admin area: a section per thing admins manage, each at /admin/<section>. */
export function Admin({ section, me }: { section: string; me: AgentView }) {
  return (
    <div className="admin">
      <nav className="sidebar" aria-label="Admin sections">
        <ul>
          {SECTIONS.map(([id, label]) => (
            <li key={id}>
              <a
                href={`/admin/${id}`}
                aria-current={section === id ? 'page' : undefined}
                className={section === id ? 'queue current' : 'queue'}
                onClick={(event) => (event.preventDefault(), navigate(`/admin/${id}`))}
              >
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
        {section === 'routing' && <Routing />}
        {section === 'presence' && <PresenceSettings />}
        {section === 'business-hours' && <BusinessHours />}
        {section === 'chat' && <ChatWebhook />}
        {section === 'fin' && <FinSettings />}
        {section === 'deliveries' && <Deliveries />}
      </main>
    </div>
  );
}
