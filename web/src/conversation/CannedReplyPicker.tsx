/**
 * Canned replies in the composer: "/ship" at the start of an empty composer offers the replies whose
 * shortcut or title match; arrows move through them, Enter or Tab (or a click) inserts one.
 */
import { useState, type KeyboardEvent } from 'react';
import type { CannedReplyView } from '../api/types.js';
import { useCannedReplies } from '../resources/team.js';

export interface Picker {
  suggestions: CannedReplyView[];
  /** The index of the suggestion Enter would insert. */
  active: number;
  choose: (reply: CannedReplyView) => void;
  /** Handles a key pressed in the composer; true when it moved through or chose a suggestion. */
  onKeyDown: (event: KeyboardEvent<HTMLTextAreaElement>) => boolean;
}

/** The picker for the composer's `text`; `insert` puts a chosen reply's body in its place. */
export function useCannedReplyPicker(text: string, insert: (body: string) => void): Picker {
  const canned = useCannedReplies().data ?? [];
  const [active, setActive] = useState(0);
  const query = /^\/(\S*)$/.exec(text)?.[1]?.toLowerCase();
  const suggestions =
    query === undefined ? [] : canned.filter((reply) => reply.shortcut.startsWith(query) || reply.title.toLowerCase().includes(query)).slice(0, 8);
  const current = Math.min(active, suggestions.length - 1);
  const choose = (reply: CannedReplyView) => {
    insert(reply.body);
    setActive(0);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (suggestions.length === 0) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => (index + (event.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
      return true;
    }
    if ((event.key === 'Enter' && !event.ctrlKey && !event.metaKey) || event.key === 'Tab') {
      event.preventDefault();
      choose(suggestions[current]!);
      return true;
    }
    return false;
  };
  return { suggestions, active: current, choose, onKeyDown };
}

/** The element id of a suggestion, which the composer names as its active descendant. */
export const suggestionId = (replyId: string) => `canned-suggestion-${replyId}`;

export function CannedReplyPicker({ picker }: { picker: Picker }) {
  if (picker.suggestions.length === 0) return null;
  // The composer's text area keeps the focus and points at the active option (a combobox's listbox):
  // the options are chosen with the arrow keys there, or with the mouse here.
  return (
    // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: the combobox's listbox, see above
    <ul id="canned-suggestions" role="listbox" aria-label="Canned replies" className="suggestions">
      {picker.suggestions.map((reply, index) => (
        // biome-ignore lint/a11y/useFocusableInteractive: the focus stays in the composer (aria-activedescendant)
        <li
          key={reply.id}
          id={suggestionId(reply.id)}
          // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: an option of the listbox
          role="option"
          aria-selected={index === picker.active}
          onMouseDown={(event) => {
            event.preventDefault();
            picker.choose(reply);
          }}
        >
          <strong>/{reply.shortcut}</strong> {reply.title}
        </li>
      ))}
    </ul>
  );
}
