import { useState, type FormEvent } from 'react';
import { createCannedReply, deleteCannedReply, updateCannedReply } from '../api/canned-replies.js';
import { useEditable } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { useCannedReplies } from '../resources/team.js';
import { ErrorNote } from '../ui/ErrorNote.js';
import { ReplyForm } from './ReplyForm.js';

/** The team's canned replies: any agent adds, changes and removes them. */
export function CannedReplies() {
  const { data: replies, error, run: reloadAfter } = useEditable(useCannedReplies(), keys.cannedReplies);
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
      await createCannedReply(fields(form));
      form.reset();
    });
  };

  return (
    <main className="admin-main replies">
      <h1>Canned replies</h1>
      <p>
        Type <kbd>/</kbd> and the shortcut in the composer to insert one.
      </p>
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
                  void run(() => updateCannedReply(reply.id, fields(form)));
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
              <button type="button" onClick={() => void run(() => deleteCannedReply(reply.id))}>
                Remove /{reply.shortcut}
              </button>
            </li>
          ),
        )}
      </ul>
    </main>
  );
}
