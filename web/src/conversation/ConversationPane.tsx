/**
 * One conversation: its header and actions, the "not synced" banner, the thread, the details
 * (end-user and conversation; over the thread on a phone) and the composer. Shown beside the list,
 * keyed by conversation; what it shows is read through the data layer (resources/), which live
 * changes keep current.
 */
import { useEffect, useImperativeHandle, useRef, useState, type RefObject } from 'react';
import { patchConversation, takeOver } from '../api/conversations.js';
import type { AgentView } from '../api/types.js';
import { useEditable } from '../resources/change.js';
import { useConversation } from '../resources/conversations.js';
import { keys } from '../resources/keys.js';
import { useViewing } from '../resources/live.js';
import { ErrorNote } from '../ui/ErrorNote.js';
import { Composer } from './Composer.js';
import { ConversationActions } from './ConversationActions.js';
import { ConversationPanel } from './ConversationPanel.js';
import { loadDraft } from './drafts.js';
import { EndUserPanel } from './EndUserPanel.js';
import { NotSynced } from './NotSynced.js';
import { Thread } from './Thread.js';
import { Collision } from './Collision.js';
import { Timeline } from './Timeline.js';

/** What the inbox's keyboard shortcuts do to the open conversation. */
export type Controls = { focus: (mode: 'public' | 'private') => void; takeOver: () => void; resolve: () => void };

export function ConversationPane(props: { id: string; me: AgentView; controls: RefObject<Controls | null>; onClose: () => void }) {
  const { id, me } = props;
  const { data: detail, run, error } = useEditable(useConversation(id), keys.conversation(id));
  // Colleagues on this conversation see that this agent views it (collision detection).
  useViewing(id);
  const composer = useRef<HTMLTextAreaElement>(null);
  const [mode, setMode] = useState<'public' | 'private'>(() => loadDraft(me.id, id)?.mode ?? 'public');
  /** On a phone the details (end-user, conversation) open over the thread. */
  const [details, setDetails] = useState(false);
  const closeDetails = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (details) closeDetails.current?.focus();
  }, [details]);

  useImperativeHandle(
    props.controls,
    () => ({
      focus: (next) => {
        setMode(next);
        composer.current?.focus();
      },
      takeOver: () => void run(() => takeOver(id)),
      resolve: () => void run(() => patchConversation(id, { status: 'resolved' })),
    }),
    [run, id],
  );

  if (!detail) {
    return (
      <section className="conversation" aria-label="Conversation">
        {error ? <ErrorNote error={error} /> : <p className="loading">Loading…</p>}
      </section>
    );
  }

  const { conversation, user, messages } = detail;
  return (
    <section className="conversation" aria-label="Conversation">
      <header className="conversation-head">
        <button type="button" className="back" onClick={props.onClose} aria-label="Back to the list">
          ←
        </button>
        <h1>{conversation.title || 'Untitled conversation'}</h1>
        <span className={`badge ${conversation.status}`}>{conversation.status}</span>
        <button type="button" className="phone-only" aria-expanded={details} aria-controls="conversation-details" onClick={() => setDetails((shown) => !shown)}>
          Details
        </button>
        <ConversationActions conversation={conversation} me={me} act={(action) => void run(action)} />
      </header>
      <ErrorNote error={error} />
      <Collision conversationId={id} meId={me.id} />
      {!conversation.fin_sync.ok && <NotSynced conversationId={id} failedAt={conversation.fin_sync.failed_at} />}
      <div className="conversation-body">
        <Thread messages={messages} hasOlder={detail.hasOlder} loadingOlder={detail.loadingOlder} olderError={detail.olderError} loadOlder={detail.loadOlder} />
        <aside id="conversation-details" className={details ? 'panels open' : 'panels'} aria-label="Details">
          <button ref={closeDetails} type="button" className="phone-only close-details" onClick={() => setDetails(false)}>
            Close details
          </button>
          <EndUserPanel conversationId={id} user={user} />
          <ConversationPanel conversation={conversation} />
          <p className="assignee">
            Assignee: <strong>{conversation.assignee ? (conversation.assignee.is_fin ? 'Fin' : conversation.assignee.name) : 'nobody'}</strong>
            {conversation.assignee?.is_fin && ' (Fin is handling it)'}
          </p>
          <p className="user-id">End-user {user.id}</p>
          <Timeline conversationId={id} />
        </aside>
      </div>
      <Composer id={id} agentId={me.id} textarea={composer} mode={mode} setMode={setMode} messages={messages} />
    </section>
  );
}
