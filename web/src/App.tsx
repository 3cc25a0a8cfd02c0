import { useCallback, useEffect, useState } from 'react';
import { api, type SessionView } from './api.js';
import { Admin } from './Admin.js';
import { CannedReplies } from './CannedReplies.js';
import { Inbox } from './Inbox.js';
import { navigate, usePlace } from './router.js';
import { SignIn } from './SignIn.js';

export function App() {
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const place = usePlace();

  useEffect(() => {
    api.session().then(setSession, (failure: Error) => setError(failure.message));
  }, []);

  const signOut = useCallback(async () => {
    await api.signOut().catch(() => undefined);
    setSession(null);
    navigate('/');
  }, []);

  if (error) return <p role="alert" className="fatal">Finch cannot be reached: {error}</p>;
  if (session === undefined) return <p className="loading">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={setSession} />;

  const me = session.agent;
  return (
    <div className="app">
      <header className="topbar">
        <a href="/" className="brand" onClick={(event) => (event.preventDefault(), navigate('/'))}>
          Finch
        </a>
        <nav aria-label="Main">
          <a href="/" aria-current={place.page === 'inbox' ? 'page' : undefined} onClick={(event) => (event.preventDefault(), navigate('/'))}>
            Inbox
          </a>
          <a href="/replies" aria-current={place.page === 'replies' ? 'page' : undefined} onClick={(event) => (event.preventDefault(), navigate('/replies'))}>
            Canned replies
          </a>
          {me.role === 'admin' && (
            <a href="/admin" aria-current={place.page === 'admin' ? 'page' : undefined} onClick={(event) => (event.preventDefault(), navigate('/admin'))}>
              Admin
            </a>
          )}
        </nav>
        <span className="me" title={me.email}>
          {me.name}
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      {place.page === 'replies' ? (
        <CannedReplies />
      ) : place.page === 'admin' ? (
        me.role === 'admin' ? (
          <Admin section={place.section} me={me} />
        ) : (
          <main className="denied">
            <h1>Admins only</h1>
            <p role="alert">The admin area is for admins. Ask an admin to change your role if you need it.</p>
          </main>
        )
      ) : (
        <Inbox me={me} conversationId={place.conversationId} />
      )}
    </div>
  );
}
