import type { Queue, QueueCounts } from '../api/types.js';
import { openCount, QUEUES } from './queues.js';

/** The queues, each with its count of open conversations; Mine also with how many are unread. */
export function QueueNav({ current, counts, onPick }: { current: Queue; counts: QueueCounts | undefined; onPick: (queue: Queue) => void }) {
  return (
    <nav>
      <ul>
        {QUEUES.map((queue) => (
          <li key={queue.id}>
            <button
              type="button"
              className={current === queue.id ? 'queue current' : 'queue'}
              aria-current={current === queue.id ? 'true' : undefined}
              onClick={() => onPick(queue.id)}
            >
              <span>{queue.label}</span>
              {/* The counts are open conversations; the list shows every status unless filtered. */}
              <span className="count" title={counts ? openCount(counts[queue.id]) : 'Counting…'}>
                {counts ? `${counts[queue.id]} open` : '–'}
              </span>
              {queue.id === 'mine' && counts !== undefined && counts.unread > 0 && <span className="count unread">{counts.unread} unread</span>}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
