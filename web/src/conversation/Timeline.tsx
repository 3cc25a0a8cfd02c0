/**
 * The conversation's activity as a timeline: what happened to it, when, and who did it, oldest
 * first, one readable line per event ("Fin handed it over", "Assigned to Ana automatically",
 * "First reply by Ana", "SLA breached (first reply due 10:30)"). Live: its data is read again with
 * the conversation's (resources/activity.ts).
 */
import { useActivity } from '../resources/activity.js';
import { ErrorNote } from '../ui/ErrorNote.js';
import { when } from '../ui/when.js';
import { line, shown } from './timeline-lines.js';

export function Timeline(props: { conversationId: string }) {
  const activity = useActivity(props.conversationId);
  const events = activity.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="panel timeline" aria-label="Activity">
      <h2>Activity</h2>
      <ErrorNote error={activity.error ? activity.error.message : null} />
      {activity.isPending ? (
        <p className="hint">Loading…</p>
      ) : (
        <ol className="timeline-events">
          {shown(events).map((event) => (
            <li key={event.id} data-kind={event.kind}>
              <time className="hint" dateTime={event.at} title={new Date(event.at).toLocaleString()}>
                {when(event.at)}
              </time>{' '}
              <span>{line(event)}</span>
            </li>
          ))}
        </ol>
      )}
      {activity.hasNextPage && (
        <button type="button" onClick={() => void activity.fetchNextPage()} disabled={activity.isFetchingNextPage}>
          Show more
        </button>
      )}
    </section>
  );
}
