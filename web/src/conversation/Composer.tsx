import { useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { plainTextToHtml } from '../../../src/contract/plain-text.js';
import { ApiError } from '../api/client.js';
import { reply, sendTyping, upload } from '../api/conversations.js';
import type { MessageView } from '../api/types.js';
import { useReread } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { ErrorNote } from '../ui/ErrorNote.js';
import { attachmentOf } from './attachment.js';
import { CannedReplyPicker, suggestionId, useCannedReplyPicker } from './CannedReplyPicker.js';
import { clearDraft, loadDraft, saveDraft } from './drafts.js';
import { Message } from './Message.js';

/** Typing is worth telling Fin about at most this often (Finch throttles to 3 s as well). */
const TYPING_EVERY_MS = 3000;

/**
 * A reply or a private note, with an attachment; the draft is kept per agent and conversation.
 * A reply names the newest message shown when the agent started writing it: when someone else
 * replied since, Finch refuses it (409 `conversation_replied`), and the composer shows what they
 * wrote and asks whether to send anyway.
 */
export function Composer(props: {
  id: string;
  agentId: string;
  textarea: RefObject<HTMLTextAreaElement | null>;
  mode: 'public' | 'private';
  setMode: (mode: 'public' | 'private') => void;
  /** The thread as shown. */
  messages: MessageView[];
}) {
  const { id, agentId, mode } = props;
  const reread = useReread();
  // The draft survives a reload and a lost session (drafts.ts); the pane is keyed by conversation.
  const [text, setText] = useState(() => loadDraft(agentId, id)?.text ?? '');
  const [attachment, setAttachment] = useState(() => loadDraft(agentId, id)?.attachment ?? '');
  useEffect(() => saveDraft(agentId, id, { text, mode, attachment }), [agentId, id, text, mode, attachment]);
  /** Name and type of an uploaded file whose signed URL is in `attachment`. */
  const [uploaded, setUploaded] = useState<{ filename: string; filetype: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const lastTyping = useRef(0);
  const newest = () => props.messages.at(-1)?.id;
  /** The newest message shown when the agent started this reply (a restored draft: when it was shown again). */
  const seen = useRef<string | undefined>(text.trim() ? newest() : undefined);
  /**
   * Finch said someone else replied since `seen`: what was written since (from its answer, since the
   * thread shown may no longer reach back to `seen`); the agent confirms or goes on writing.
   */
  const [repliedSince, setRepliedSince] = useState<MessageView[] | null>(null);
  const picker = useCannedReplyPicker(text, (body) => {
    setText(body);
    props.textarea.current?.focus();
  });

  const attach = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    try {
      const result = await upload(file);
      setAttachment(result.url);
      setUploaded({ filename: result.filename, filetype: result.filetype });
      setError(null);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const onType = (value: string) => {
    if (!text.trim() && value.trim()) seen.current = newest();
    setText(value);
    const now = Date.now();
    if (mode === 'public' && value.trim() && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      void sendTyping(id).catch(() => undefined);
    }
  };

  const send = async (event?: FormEvent, confirmed = false) => {
    event?.preventDefault();
    if (!text.trim() && !attachment.trim()) return;
    setBusy(true);
    // Confirmed: the agent has seen everything shown now.
    const lastSeen = confirmed ? newest() : (seen.current ?? newest());
    try {
      const url = attachment.trim();
      await reply(id, {
        body: plainTextToHtml(text) || null,
        visibility: mode,
        ...(url ? { attachments: [{ url, ...(uploaded ?? attachmentOf(url)) }] } : {}),
        ...(mode === 'public' && lastSeen ? { last_seen_message_id: lastSeen } : {}),
      });
      seen.current = undefined;
      setRepliedSince(null);
      clearDraft(agentId, id);
      setText('');
      setAttachment('');
      setUploaded(null);
      setError(null);
      await reread(keys.conversation(id));
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'conversation_replied') {
        // Show what was written since, and the thread read again with it.
        await reread(keys.conversation(id));
        setRepliedSince((failure.problem?.messages as MessageView[] | undefined) ?? []);
        setError(null);
      } else {
        setError((failure as Error).message);
      }
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
          if (picker.onKeyDown(event)) return;
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void send();
        }}
        rows={3}
        aria-autocomplete="list"
        aria-controls={picker.suggestions.length > 0 ? 'canned-suggestions' : undefined}
        aria-activedescendant={picker.suggestions[picker.active] ? suggestionId(picker.suggestions[picker.active]!.id) : undefined}
      />
      <CannedReplyPicker picker={picker} />
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
      {repliedSince && (
        <div className="replied-since" role="alertdialog" aria-label="Someone replied since you started writing">
          <p>
            <strong>Someone else replied since you started writing.</strong> Read what they wrote before sending yours:
          </p>
          <ol className="replied-messages" aria-label="Messages since">
            {repliedSince.map((message) => (
              <li key={message.id} className="thread-row">
                <Message message={message} />
              </li>
            ))}
          </ol>
          <button type="button" disabled={busy} onClick={() => void send(undefined, true)}>
            Send anyway
          </button>{' '}
          <button
            type="button"
            onClick={() => {
              seen.current = newest();
              setRepliedSince(null);
              props.textarea.current?.focus();
            }}
          >
            Keep editing
          </button>
        </div>
      )}
      <button type="submit" disabled={busy}>
        {mode === 'public' ? 'Send reply' : 'Add note'}
      </button>
    </form>
  );
}
