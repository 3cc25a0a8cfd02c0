/**
 * Changing the signed-in agent's password (`POST /api/v1/me/password`: 204; 403 wrong_password;
 * 422 weak_password, whose detail says why and is shown as it is).
 */
import { useState, type FormEvent, type RefObject } from 'react';
import { changePassword } from '../api/session.js';
import { ErrorNote } from '../ui/ErrorNote.js';

/** Agents' passwords are at least this long (src/contract/agent-api.ts); the server judges the rest. */
const MIN_LENGTH = 12;

export function PasswordForm({ firstField }: { firstField: RefObject<HTMLInputElement | null> }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    setError(null);
    if (next !== confirm) return setError('The new password and its confirmation differ. Type the same password twice.');
    if (next === current) return setError('The new password is the same as the current one.');
    setBusy(true);
    try {
      await changePassword(current, next);
      setError(null);
      setDone(true);
      setCurrent('');
      setNext('');
      setConfirm('');
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="settings" aria-label="Change your password" onSubmit={(event) => void submit(event)}>
      <h3>Change your password</h3>
      <label>
        Current password
        <input ref={firstField} type="password" autoComplete="current-password" required value={current} onChange={(event) => setCurrent(event.target.value)} />
      </label>
      <label>
        New password
        <input
          type="password"
          autoComplete="new-password"
          required
          maxLength={1024}
          aria-describedby="password-rule"
          value={next}
          onChange={(event) => setNext(event.target.value)}
        />
      </label>
      <p id="password-rule" className="hint">
        At least {MIN_LENGTH} characters; a few unrelated words make a good one.
      </p>
      <label>
        Confirm new password
        <input type="password" autoComplete="new-password" required maxLength={1024} value={confirm} onChange={(event) => setConfirm(event.target.value)} />
      </label>
      <ErrorNote error={error} />
      {done && (
        <p role="status" className="ok">
          Your password has been changed.
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}
