/**
 * The app's few places, kept in the URL so a conversation can be linked and the back button works:
 * `/` (a queue), `/c/<conversation id>`, `/replies` (canned replies), `/admin/<section>`.
 */
import { useEffect, useState } from 'react';

export type Place = { page: 'inbox'; conversationId: string | null } | { page: 'admin'; section: string } | { page: 'replies' };

function parse(pathname: string): Place {
  const conversation = /^\/c\/([^/]+)$/.exec(pathname);
  if (conversation) return { page: 'inbox', conversationId: decodeURIComponent(conversation[1]!) };
  if (pathname === '/replies') return { page: 'replies' };
  const admin = /^\/admin(?:\/([a-z-]+))?$/.exec(pathname);
  if (admin) return { page: 'admin', section: admin[1] ?? 'agents' };
  return { page: 'inbox', conversationId: null };
}

export function navigate(path: string): void {
  if (location.pathname === path) return;
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function usePlace(): Place {
  const [place, setPlace] = useState(() => parse(location.pathname));
  useEffect(() => {
    const update = () => setPlace(parse(location.pathname));
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return place;
}
