/**
 * The signed-in agent's own account, opened from the top bar: who they are, changing their
 * password (PasswordForm.tsx), and which events email them (NotificationPrefs.tsx).
 */
import { useEffect, useRef } from 'react';
import type { AgentView } from '../api/types.js';
import { NotificationPrefs } from './NotificationPrefs.js';
import { PasswordForm } from './PasswordForm.js';

export function AccountDialog({ me, onClose }: { me: AgentView; onClose: () => void }) {
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    first.current?.focus();
  }, []);
  return (
    <div className="overlay" onClick={onClose}>
      <div
        className="dialog account"
        role="dialog"
        aria-modal="true"
        aria-labelledby="account-title"
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => event.key === 'Escape' && onClose()}
      >
        <h2 id="account-title">Your account</h2>
        <p className="who">
          {me.name} · {me.email} · {me.role === 'admin' ? 'Admin' : 'Agent'}
        </p>
        <PasswordForm firstField={first} />
        <NotificationPrefs />
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
