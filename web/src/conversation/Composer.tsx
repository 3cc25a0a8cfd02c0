import { useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { plainTextToHtml } from '../../../src/contract/plain-text.js';
import { reply, sendTyping, upload } from '../api/conversations.js';
import { useReread } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { ErrorNote } from '../ui/ErrorNote.js';
import { attachmentOf } from './attachment.js';
import { CannedReplyPicker, suggestionId, useCannedReplyPicker } from './CannedReplyPicker.js';
import { clearDraft, loadDraft, saveDraft } from './drafts.js';

/** Typing is worth telling Fin about at most this often (Finch throttles to 3 s as well). */
const TYPING_EVERY_MS = 3000;

/** A reply or a private note, with an attachment; the draft is kept per agent and conversation. */
export function Composer(props: {
  id: string;
  agentId: string;
  textarea: RefObject<HTMLTextAreaElement | null>;
  mode: 'public' | 'private';
  setMode: (mode: 'public' | 'private') => void;
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
    setText(value);
    const now = Date.now();
    if (mode === 'public' && value.trim() && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      void sendTyping(id).catch(() => undefined);
    }
  };

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!text.trim() && !attachment.trim()) return;
    setBusy(true);
    try {
      const url = attachment.trim();
      await reply(id, {
        body: plainTextToHtml(text) || null,
        visibility: mode,
        ...(url ? { attachments: [{ url, ...(uploaded ?? attachmentOf(url)) }] } : {}),
      });
      clearDraft(agentId, id);
      setText('');
      setAttachment('');
      setUploaded(null);
      setError(null);
      await reread(keys.conversation(id));
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
      <button type="submit" disabled={busy}>
        {mode === 'public' ? 'Send reply' : 'Add note'}
      </button>
    </form>
  );
}
