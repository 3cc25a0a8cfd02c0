import { useCallback, useEffect, useRef, useState } from 'react';
import { onSignedOut } from './api/client.js';
import { currentSession, signOut as endSession } from './api/session.js';
import type { SessionView } from './api/types.js';
import { queryClient } from './resources/query-client.js';
import { AccountDialog } from './session/AccountDialog.js';
import { Admin } from './admin/Admin.js';
import { forgetOldDrafts } from './conversation/drafts.js';
import { CannedReplies } from './canned-replies/CannedReplies.js';
import { Inbox } from './inbox/Inbox.js';
import { TeamBar } from './presence/TeamBar.js';
import { navigate, usePlace } from './router.js';
import { SignIn } from './session/SignIn.js';

export function App() {
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  /** Why the sign-in page is showing, when the session ended under the agent's feet. */
  const [notice, setNotice] = useState<string | null>(null);
  const [account, setAccount] = useState(false);
  /** Who was signed in when the session ended, to fill in the sign-in form. */
  const [lastEmail, setLastEmail] = useState('');
  const current = useRef(session);
  current.current = session;
  const place = usePlace();

  useEffect(() => {
    forgetOldDrafts();
    currentSession().then(setSession, (failure: Error) => setError(failure.message));
  }, []);
  // Any 401 from any call: back to the sign-in page, on the same URL, so signing in again returns
  // to the same conversation and its draft (drafts.ts).
  useEffect(() => {
    onSignedOut((why) => {
      // What this agent's screens loaded is not for whoever signs in next.
      queryClient.clear();
      setNotice(why);
      setAccount(false);
      if (current.current) setLastEmail(current.current.agent.email);
      setSession(null);
    });
    return () => onSignedOut(null);
  }, []);

  const signOut = useCallback(async () => {
    await endSession().catch(() => undefined);
    queryClient.clear();
    setNotice(null);
    setSession(null);
    navigate('/');
  }, []);
  const signedIn = useCallback((fresh: SessionView) => {
    queryClient.clear();
    setNotice(null);
    setSession(fresh);
  }, []);

  if (error) {
    return (
      <main className="fatal">
        <p role="alert">{error}</p>
        <button type="button" onClick={() => location.reload()}>
          Try again
        </button>
      </main>
    );
  }
  if (session === undefined) return <p className="loading">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={signedIn} notice={notice} email={notice ? lastEmail : ''} />;

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
            <span className="long-label">Canned replies</span>
            <span className="short-label">Replies</span>
          </a>
          {me.role === 'admin' && (
            <a href="/admin" aria-current={place.page === 'admin' ? 'page' : undefined} onClick={(event) => (event.preventDefault(), navigate('/admin'))}>
              Admin
            </a>
          )}
        </nav>
        <TeamBar me={me} />
        <button
          type="button"
          className="me"
          title={`${me.email}: your account and password`}
          aria-label={`Your account (${me.name})`}
          onClick={() => setAccount(true)}
        >
          {me.name}
        </button>
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
      {account && <AccountDialog me={me} onClose={() => setAccount(false)} />}
    </div>
  );
}
