import type { FormEvent } from 'react';
import type { CannedReplyView } from '../api/types.js';

/** A canned reply's shortcut, title and text, empty to add one or filled in to edit it. */
export function ReplyForm(props: { label: string; submit: string; initial?: CannedReplyView; onSubmit: (event: FormEvent<HTMLFormElement>) => void }) {
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
