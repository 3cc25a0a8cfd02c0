import { useCallback, useEffect, useImperativeHandle, useRef, useState, type FormEvent, type ReactNode, type RefObject } from 'react';
import { ErrorNote, StatusOptions } from '../ui/common.js';
import { api, type AgentView, type CannedReplyView, type ConversationDetail, type MessageView } from '../api/client.js';
import { clearDraft, loadDraft, saveDraft } from './drafts.js';
import { Avatar, safeHtml, when } from '../ui/format.js';
import { plainTextToHtml } from '../../../src/contract/plain-text.js';

export type Controls = { focus: (mode: 'public' | 'private') => void; takeOver: () => void; resolve: () => void };

/** Typing is worth telling Fin about at most this often (Finch throttles to 3 s as well). */
const TYPING_EVERY_MS = 3000;

export function ConversationPane(props: { id: string; me: AgentView; version: number; controls: RefObject<Controls | null>; onClose: () => void }) {
  const { id, me, version } = props;
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [agents, setAgents] = useState<AgentView[]>([]);
  const composer = useRef<HTMLTextAreaElement>(null);
  const [mode, setMode] = useState<'public' | 'private'>(() => loadDraft(me.id, id)?.mode ?? 'public');
  /** On a phone the details (end-user, conversation) open over the thread. */
  const [details, setDetails] = useState(false);
  const closeDetails = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (details) closeDetails.current?.focus();
  }, [details]);

  const reload = useCallback(async () => {
    try {
      setDetail(await api.conversation(id));
      setError(null);
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, [id]);

  useEffect(() => {
    void reload();
  }, [reload, version]);
  useEffect(() => {
    api.agents().then(setAgents, () => setAgents([]));
  }, []);

  const act = useCallback(
    async (action: () => Promise<unknown>) => {
      try {
        await action();
        await reload();
      } catch (failure) {
        setError((failure as Error).message);
      }
    },
    [reload],
  );

  useImperativeHandle(
    props.controls,
    () => ({
      focus: (next) => {
        setMode(next);
        composer.current?.focus();
      },
      takeOver: () => void act(() => api.takeover(id)),
      resolve: () => void act(() => api.patch(id, { status: 'resolved' })),
    }),
    [act, id],
  );

  if (!detail) {
    return (
      <section className="conversation" aria-label="Conversation">
        {error ? <ErrorNote error={error} /> : <p className="loading">Loading…</p>}
      </section>
    );
  }

  const { conversation, user, messages } = detail;
  const mine = conversation.assignee?.id === me.id;

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
        <div className="actions" role="toolbar" aria-label="Conversation actions">
          {!mine && (
            <button type="button" onClick={() => void act(() => api.takeover(id))}>
              Take over
            </button>
          )}
          {!conversation.assignee?.is_fin && (
            <button type="button" onClick={() => void act(() => api.handback(id))}>
              Hand back to Fin
            </button>
          )}
          {conversation.assignee && !conversation.assignee.is_fin && (
            <button type="button" onClick={() => void act(() => api.patch(id, { assignee_id: null }))}>
              Unassign
            </button>
          )}
          <label className="inline">
            <span className="visually-hidden">Assign to</span>
            <select
              aria-label="Assign to"
              value={conversation.assignee?.id ?? ''}
              onChange={(event) => void act(() => api.patch(id, { assignee_id: event.target.value || null }))}
            >
              <option value="">Nobody</option>
              {agents
                .filter((agent) => agent.active)
                .map((agent) => (
                  <option key={agent.id} value={agent.id}>
                    {agent.is_fin ? 'Fin' : agent.name}
                  </option>
                ))}
            </select>
          </label>
          {conversation.status === 'open' ? (
            <button type="button" onClick={() => void act(() => api.patch(id, { status: 'resolved' }))}>
              Resolve
            </button>
          ) : (
            <button type="button" onClick={() => void act(() => api.patch(id, { status: 'open' }))}>
              Reopen
            </button>
          )}
          <label className="inline">
            <span className="visually-hidden">Status</span>
            <select aria-label="Status" value={conversation.status} onChange={(event) => void act(() => api.patch(id, { status: event.target.value as 'open' }))}>
              <StatusOptions />
            </select>
          </label>
        </div>
      </header>
      <ErrorNote error={error} />
      {!conversation.fin_sync.ok && <NotSynced conversationId={id} failedAt={conversation.fin_sync.failed_at} onRetried={reload} />}
      <div className="conversation-body">
        <Thread messages={messages} />
        <aside id="conversation-details" className={details ? 'panels open' : 'panels'} aria-label="Details">
          <button ref={closeDetails} type="button" className="phone-only close-details" onClick={() => setDetails(false)}>
            Close details
          </button>
          <EndUserPanel user={detail.user} onSaved={reload} />
          <ConversationPanel conversation={detail.conversation} onSaved={reload} />
          <p className="assignee">
            Assignee: <strong>{conversation.assignee ? (conversation.assignee.is_fin ? 'Fin' : conversation.assignee.name) : 'nobody'}</strong>
            {conversation.assignee?.is_fin && ' (Fin is handling it)'}
          </p>
          <p className="user-id">End-user {user.id}</p>
        </aside>
      </div>
      <Composer id={id} agentId={me.id} textarea={composer} mode={mode} setMode={setMode} onSent={reload} />
    </section>
  );
}

function Thread({ messages }: { messages: MessageView[] }) {
  const end = useRef<HTMLLIElement>(null);
  // Braces, not an arrow's value: Chromium's scrollIntoView returns a promise, which React would
  // take for a cleanup function.
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length]);
  return (
    <ol className="thread" aria-label="Messages">
      {messages.map((message) => {
        const name = message.author.is_fin ? 'Fin' : (message.author.name ?? message.author.email ?? 'End-user');
        const note = message.visibility === 'private';
        return (
          <li key={message.id} className={`message ${message.author.type}${note ? ' note' : ''}${message.author.is_fin ? ' from-fin' : ''}`}>
            <Avatar name={name} photoUrl={message.author.photo_url} fin={message.author.is_fin} />
            <div className="message-main">
              <div className="message-head">
                <span className="author">{name}</span>
                {message.author.is_fin && <span className="badge fin">Fin</span>}
                {note && <span className="badge note">Private note</span>}
                <time dateTime={message.created_at}>{when(message.created_at)}</time>
              </div>
              {message.body && <div className="body" dangerouslySetInnerHTML={{ __html: safeHtml(message.body) }} />}
              {message.attachments.length > 0 && (
                <ul className="attachments">
                  {message.attachments.map((attachment) => (
                    <li key={attachment.url}>
                      <a href={attachment.url} target="_blank" rel="noopener noreferrer">
                        {/^(png|jpe?g|gif|webp)$/i.test(attachment.filetype) && attachment.url.startsWith('https://') ? (
                          <img src={attachment.url} alt={attachment.filename} className="thumbnail" />
                        ) : (
                          `${attachment.filename} (${attachment.filetype})`
                        )}
                      </a>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </li>
        );
      })}
      <li ref={end} aria-hidden="true" className="thread-end" />
    </ol>
  );
}

function Composer(props: {
  id: string;
  agentId: string;
  textarea: RefObject<HTMLTextAreaElement | null>;
  mode: 'public' | 'private';
  setMode: (mode: 'public' | 'private') => void;
  onSent: () => Promise<void>;
}) {
  const { id, agentId, mode } = props;
  // The draft survives a reload and a lost session (drafts.ts); the pane is keyed by conversation.
  const [text, setText] = useState(() => loadDraft(agentId, id)?.text ?? '');
  const [attachment, setAttachment] = useState(() => loadDraft(agentId, id)?.attachment ?? '');
  useEffect(() => saveDraft(agentId, id, { text, mode, attachment }), [agentId, id, text, mode, attachment]);
  /** Name and type of an uploaded file whose signed URL is in `attachment`. */
  const [uploaded, setUploaded] = useState<{ filename: string; filetype: string } | null>(null);
  const attach = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    try {
      const result = await api.upload(file);
      setAttachment(result.url);
      setUploaded({ filename: result.filename, filetype: result.filetype });
      setError(null);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const lastTyping = useRef(0);
  const [canned, setCanned] = useState<CannedReplyView[]>([]);
  const [active, setActive] = useState(0);
  useEffect(() => {
    api.cannedReplies().then(setCanned, () => setCanned([]));
  }, []);
  // "/ship" at the start of an empty composer offers the canned replies whose shortcut or title match.
  const query = /^\/(\S*)$/.exec(text)?.[1]?.toLowerCase();
  const suggestions = query === undefined ? [] : canned.filter((reply) => reply.shortcut.startsWith(query) || reply.title.toLowerCase().includes(query)).slice(0, 8);
  const insert = (reply: CannedReplyView) => {
    setText(reply.body);
    setActive(0);
    props.textarea.current?.focus();
  };

  const onType = (value: string) => {
    setText(value);
    const now = Date.now();
    if (mode === 'public' && value.trim() && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      void api.typing(id).catch(() => undefined);
    }
  };

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!text.trim() && !attachment.trim()) return;
    setBusy(true);
    try {
      const url = attachment.trim();
      await api.reply(id, {
        body: plainTextToHtml(text) || null,
        visibility: mode,
        ...(url ? { attachments: [{ url, ...(uploaded ?? attachmentOf(url)) }] } : {}),
      });
      clearDraft(agentId, id);
      setText('');
      setAttachment('');
      setUploaded(null);
      setError(null);
      await props.onSent();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className={`composer ${mode}`} onSubmit={(event) => void send(event)} aria-label="Composer">
      <div className="modes" role="radiogroup" aria-label="Send as">
        <label>
          <input type="radio" name="mode" checked={mode === 'public'} onChange={() => props.setMode('public')} /> Reply
        </label>
        <label>
          <input type="radio" name="mode" checked={mode === 'private'} onChange={() => props.setMode('private')} /> Private note
        </label>
      </div>
      <textarea
        ref={props.textarea}
        aria-label={mode === 'public' ? 'Reply to the end-user' : 'Private note for agents'}
        placeholder={mode === 'public' ? 'Reply… (Ctrl+Enter sends)' : 'Note for agents only… (Ctrl+Enter saves)'}
        value={text}
        onChange={(event) => onType(event.target.value)}
        onKeyDown={(event) => {
          if (suggestions.length > 0) {
            if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
              event.preventDefault();
              setActive((index) => (index + (event.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
              return;
            }
            if ((event.key === 'Enter' && !event.ctrlKey && !event.metaKey) || event.key === 'Tab') {
              event.preventDefault();
              insert(suggestions[Math.min(active, suggestions.length - 1)]!);
              return;
            }
          }
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void send();
        }}
        rows={3}
        aria-autocomplete="list"
        aria-controls={suggestions.length > 0 ? 'canned-suggestions' : undefined}
      />
      {suggestions.length > 0 && (
        <ul id="canned-suggestions" role="listbox" aria-label="Canned replies" className="suggestions">
          {suggestions.map((reply, index) => (
            <li
              key={reply.id}
              role="option"
              aria-selected={index === Math.min(active, suggestions.length - 1)}
              onMouseDown={(event) => {
                event.preventDefault();
                insert(reply);
              }}
            >
              <strong>/{reply.shortcut}</strong> {reply.title}
            </li>
          ))}
        </ul>
      )}
      <label className="attachment">
        Attachment URL (HTTPS)
        <input
          type="url"
          value={attachment}
          placeholder="https://…"
          onChange={(event) => {
            setAttachment(event.target.value);
            setUploaded(null);
          }}
        />
      </label>
      <label className="attachment">
        Or upload a file
        <input type="file" onChange={(event) => void attach(event.target.files?.[0])} />
      </label>
      <ErrorNote error={error} />
      <button type="submit" disabled={busy}>
        {mode === 'public' ? 'Send reply' : 'Add note'}
      </button>
    </form>
  );
}

/** A linked file's type and name, from its URL. */
function attachmentOf(url: string): { filename: string; filetype: string } {
  const name = decodeURIComponent(new URL(url, location.href).pathname.split('/').pop() || 'attachment');
  return { filename: name, filetype: /\.([A-Za-z0-9]{1,10})$/.exec(name)?.[1]?.toLowerCase() ?? 'file' };
}

function NotSynced(props: { conversationId: string; failedAt: string | null; onRetried: () => Promise<void> }) {
  const [state, setState] = useState<string | null>(null);
  const retry = async () => {
    try {
      await api.resync(props.conversationId);
      setState('Retrying… the banner goes once Fin has it.');
      await props.onRetried();
    } catch (failure) {
      setState((failure as Error).message);
    }
  };
  return (
    <div className="banner" role="status">
      <strong>Not synced with Fin</strong>
      {props.failedAt && <> since {when(props.failedAt)}</>}: Fin has not heard of the latest changes.
      <button type="button" onClick={() => void retry()}>
        Retry
      </button>
      {state && <span className="state"> {state}</span>}
    </div>
  );
}

function EndUserPanel({ user, onSaved }: { user: ConversationDetail['user']; onSaved: () => Promise<void> }) {
  return (
    <AttributesForm
      label="End-user"
      title="End-user"
      stamp={user.updated_at}
      attributes={user.attributes}
      submit="Save end-user"
      onSaved={onSaved}
      save={(form, attributes) =>
        api.patchUser(user.id, { name: String(form.get('name') || '') || null, email: String(form.get('email') || '') || null, ...(attributes ? { attributes } : {}) })
      }
    >
      <label>
        Name
        <input name="name" defaultValue={user.name ?? ''} />
      </label>
      <label>
        Email
        <input name="email" type="email" defaultValue={user.email ?? ''} />
      </label>
    </AttributesForm>
  );
}

function ConversationPanel({ conversation, onSaved }: { conversation: ConversationDetail['conversation']; onSaved: () => Promise<void> }) {
  return (
    <AttributesForm
      label="Conversation details"
      title="Conversation"
      stamp={conversation.updated_at}
      attributes={conversation.attributes}
      submit="Save conversation"
      onSaved={onSaved}
      save={(form, attributes) => {
        const tags = String(form.get('tags') ?? '')
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean);
        return api.patch(conversation.id, { title: String(form.get('title') ?? '') || null, tags, ...(attributes ? { attributes } : {}) });
      }}
    >
      <label>
        Title
        <input name="title" defaultValue={conversation.title ?? ''} />
      </label>
      <label>
        Tags (comma-separated)
        <input name="tags" defaultValue={conversation.tags.join(', ')} />
      </label>
    </AttributesForm>
  );
}

/**
 * An editable panel: its own fields, then the attributes; `save` gets the form and the attribute
 * changes (none when nothing changed). Keyed by `stamp` so that a newer version resets the fields.
 */
function AttributesForm(props: {
  label: string;
  title: string;
  stamp: string;
  attributes: Record<string, unknown>;
  submit: string;
  save: (form: FormData, attributes: ReturnType<typeof attributesPatch>) => Promise<unknown>;
  onSaved: () => Promise<void>;
  children: ReactNode;
}) {
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      await props.save(form, attributesPatch(form, props.attributes));
      setError(null);
      await props.onSaved();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <form className="panel" aria-label={props.label} onSubmit={(event) => void submit(event)} key={props.stamp}>
      <h2>{props.title}</h2>
      {props.children}
      <Attributes attributes={props.attributes} />
      <ErrorNote error={error} />
      <button type="submit">{props.submit}</button>
    </form>
  );
}

/** Attributes as form fields: each value editable (empty removes it), and one new key and value. */
function Attributes({ attributes }: { attributes: Record<string, unknown> }) {
  const entries = Object.entries(attributes);
  return (
    <fieldset className="attributes">
      <legend>Attributes (an empty value removes one)</legend>
      {entries.map(([key, value]) => (
        <label key={key}>
          {key}
          <input name={`attribute:${key}`} defaultValue={typeof value === 'string' ? value : JSON.stringify(value)} />
        </label>
      ))}
      <div className="new-attribute">
        <input name="new-attribute-key" aria-label="New attribute name" placeholder="New attribute" />
        <input name="new-attribute-value" aria-label="New attribute value" placeholder="Value" />
      </div>
    </fieldset>
  );
}

/**
 * The attributes that changed, as a merge patch: a new value, or null for one emptied. Values that
 * were not strings (numbers, booleans, objects) are read back as JSON when they parse.
 */
function attributesPatch(form: FormData, original: Record<string, unknown>): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  for (const [key, before] of Object.entries(original)) {
    const text = String(form.get(`attribute:${key}`) ?? '');
    const shown = typeof before === 'string' ? before : JSON.stringify(before);
    if (text === shown) continue;
    if (text === '') patch[key] = null;
    else if (typeof before === 'string') patch[key] = text;
    else {
      try {
        patch[key] = JSON.parse(text) as unknown;
      } catch {
        patch[key] = text;
      }
    }
  }
  const newKey = String(form.get('new-attribute-key') ?? '').trim();
  if (newKey) patch[newKey] = String(form.get('new-attribute-value') ?? '');
  return Object.keys(patch).length > 0 ? patch : undefined;
}
