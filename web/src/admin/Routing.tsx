import { useState, type FormEvent } from 'react';
import { saveRouting, type RoutingSettings } from '../api/routing.js';
import { useEditable } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { useRouting } from '../resources/routing.js';
import { Section } from '../ui/Section.js';

const MODES: [RoutingSettings['mode'], string][] = [
  ['off', 'Off: hand-overs wait until someone takes them'],
  ['balanced', 'Balanced: to the online agent with the fewest open conversations'],
  ['round_robin', 'Round robin: online agents take turns'],
];

/** Admin → Routing: automatic assignment's mode, the default capacity, and what happens to an away agent's conversations. */
export function Routing() {
  const { data, error, run } = useEditable(useRouting(), keys.routing, keys.agents);
  const [saved, setSaved] = useState(false);
  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setSaved(false);
    void run(async () => {
      await saveRouting({
        mode: String(form.get('mode')) as RoutingSettings['mode'],
        capacity: Number(form.get('capacity')),
        reassign_when_away: form.get('reassign_when_away') === 'on',
      });
      setSaved(true);
    });
  };
  return (
    <Section title="Routing" error={error}>
      {data && (
        <>
          <p role="status">
            {data.mode === 'off'
              ? 'Automatic assignment is off.'
              : `Automatic assignment is on (${data.mode === 'balanced' ? 'balanced' : 'round robin'}), up to ${data.capacity} open conversations per agent.`}
            {saved && ' Routing saved.'}
          </p>
          <form className="settings" onSubmit={save} key={JSON.stringify(data)} aria-label="Routing settings">
            <label>
              Mode
              <select name="mode" defaultValue={data.mode}>
                {MODES.map(([mode, label]) => (
                  <option key={mode} value={mode}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Default capacity (open conversations per agent; Admin → Agents sets one agent's own)
              <input name="capacity" type="number" min={0} max={1000} step={1} required defaultValue={data.capacity} />
            </label>
            <label className="check">
              <input name="reassign_when_away" type="checkbox" defaultChecked={data.reassign_when_away} />
              Give an away agent's open conversations to someone online
            </label>
            <button type="submit">Save routing</button>
          </form>
        </>
      )}
    </Section>
  );
}
