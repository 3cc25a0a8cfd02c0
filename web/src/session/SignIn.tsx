import { useState, type FormEvent } from 'react';
import { signIn } from '../api/session.js';
import type { SessionView } from '../api/types.js';
import { ErrorNote } from '../ui/ErrorNote.js';

/** The sign-in form; `notice` says why the agent is here again (the session ended elsewhere). */
export function SignIn(props: { onSignedIn: (session: SessionView) => void; notice?: string | null; email?: string }) {
  const { onSignedIn, notice } = props;
  const [email, setEmail] = useState(props.email ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(email, password));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form onSubmit={(event) => void submit(event)} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Finch</h1>
        {notice && (
          <p role="status" className="notice">
            {notice}
          </p>
        )}
        <label>
          Email
          <input type="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.target.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            required
            // biome-ignore lint/a11y/noAutofocus: with the email known (a session that ended), the password is all that is left to type
            autoFocus={Boolean(props.email)}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
