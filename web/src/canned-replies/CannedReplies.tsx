import { useState, type FormEvent } from 'react';
import { api, type CannedReplyView } from '../api/client.js';
import { ErrorNote, useLoaded } from '../ui/common.js';

/** The team's canned replies: any agent adds, changes and removes them. */
export function CannedReplies() {
  const { data: replies, error, run: reloadAfter } = useLoaded(api.cannedReplies);
  const [editing, setEditing] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>) => {
    if (await reloadAfter(action)) setEditing(null);
  };
  const fields = (form: HTMLFormElement) => {
    const data = new FormData(form);
    return { shortcut: String(data.get('shortcut') ?? '').trim(), title: String(data.get('title') ?? ''), body: String(data.get('body') ?? '') };
  };
  const add = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    void run(async () => {
      await api.createCannedReply(fields(form));
      form.reset();
    });
  };

  return (
    <main className="admin-main replies">
      <h1>Canned replies</h1>
      <p>Type <kbd>/</kbd> and the shortcut in the composer to insert one.</p>
      <ErrorNote error={error} />
      <ReplyForm label="Add a canned reply" submit="Add" onSubmit={add} />
      <ul className="reply-list">
        {(replies ?? []).map((reply) =>
          editing === reply.id ? (
            <li key={reply.id}>
              <ReplyForm
                label={`Edit /${reply.shortcut}`}
                submit="Save"
                initial={reply}
                onSubmit={(event) => {
                  event.preventDefault();
                  const form = event.currentTarget;
                  void run(() => api.updateCannedReply(reply.id, fields(form)));
                }}
              />
            </li>
          ) : (
            <li key={reply.id}>
              <strong>/{reply.shortcut}</strong> {reply.title}
              <p className="reply-body">{reply.body}</p>
              <button type="button" onClick={() => setEditing(reply.id)}>
                Edit /{reply.shortcut}
              </button>{' '}
              <button type="button" onClick={() => void run(() => api.deleteCannedReply(reply.id))}>
                Remove /{reply.shortcut}
              </button>
            </li>
          ),
        )}
      </ul>
    </main>
  );
}

function ReplyForm(props: { label: string; submit: string; initial?: CannedReplyView; onSubmit: (event: FormEvent<HTMLFormElement>) => void }) {
  return (
    <form className="settings" aria-label={props.label} onSubmit={props.onSubmit}>
      <label>
        Shortcut
        <input name="shortcut" required pattern="[a-z0-9][a-z0-9_\-]{0,39}" defaultValue={props.initial?.shortcut ?? ''} placeholder="shipping" />
      </label>
      <label>
        Title
        <input name="title" required defaultValue={props.initial?.title ?? ''} />
      </label>
      <label>
        Text
        <textarea name="body" required rows={3} defaultValue={props.initial?.body ?? ''} />
      </label>
      <button type="submit">{props.submit}</button>
    </form>
  );
}
