import { useState } from 'react';
import { resync } from '../api/conversations.js';
import { useChange } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { when } from '../ui/when.js';

/** The banner of a conversation Fin has not heard the latest of, with a Retry. */
export function NotSynced(props: { conversationId: string; failedAt: string | null }) {
  const { run, error } = useChange(keys.conversation(props.conversationId));
  const [retried, setRetried] = useState(false);
  const retry = async () => setRetried(await run(() => resync(props.conversationId)));
  const state = error ?? (retried ? 'Retrying… the banner goes once Fin has it.' : null);
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
