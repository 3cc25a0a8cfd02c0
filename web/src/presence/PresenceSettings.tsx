/** Admin → Presence: after how many idle minutes an open inbox sets its agent away (0: never). */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { putPresenceSettings } from '../api/presence.js';
import { keys } from '../resources/keys.js';
import { usePresenceSettings } from '../resources/presence.js';

export function PresenceSettings() {
  const client = useQueryClient();
  const { data } = usePresenceSettings();
  const [minutes, setMinutes] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const shown = minutes ?? String(data?.away_after_minutes ?? '');

  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await putPresenceSettings({ away_after_minutes: Number(shown) });
      setMinutes(null);
      setNote('Saved.');
      await client.invalidateQueries({ queryKey: keys.presence });
    } catch (failure) {
      setNote((failure as Error).message);
    }
  };

  return (
    <form aria-label="Presence settings" onSubmit={(event) => void save(event)}>
      <h2>Presence</h2>
      <label>
        Away after idle minutes (0: never)
        <input type="number" min={0} max={1440} required value={shown} onChange={(event) => setMinutes(event.target.value)} />
      </label>
      <button type="submit">Save</button>
      {note && <p role="status">{note}</p>}
    </form>
  );
}
