import { useMemo, useState } from 'react';
import { replayDelivery } from '../api/admin.js';
import { useDeliveryLog } from '../resources/admin.js';
import { useChange } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { navigate } from '../router.js';
import { Section } from '../ui/Section.js';
import { Table } from '../ui/Table.js';
import { when } from '../ui/when.js';
import { problemOf } from './delivery-problem.js';

/** The delivery log: each attempt to notify Fin, newest first, by outcome; a failed sync can be replayed. */
export function Deliveries() {
  const [outcome, setOutcome] = useState('');
  const log = useDeliveryLog(outcome);
  const items = useMemo(() => log.data?.pages.flatMap((page) => page.items) ?? [], [log.data]);
  const replay = useChange(keys.deliveries);
  const error = replay.error ?? log.error?.message ?? null;
  return (
    <Section title="Delivery log" error={error}>
      <label>
        Outcome
        <select value={outcome} onChange={(event) => setOutcome(event.target.value)}>
          <option value="">Any</option>
          {['delivered', 'retry', 'dead', 'expired', 'disabled'].map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </label>
      <Table className="deliveries" columns={['When', 'Conversation', 'Kind', 'Attempt', 'Status', 'Latency', 'Outcome', 'Error']}>
        {items.map((delivery) => (
          <tr key={delivery.id}>
            <td>{when(delivery.created_at)}</td>
            <td className="id">
              <a
                href={`/c/${encodeURIComponent(delivery.conversation_id)}`}
                onClick={(event) => (event.preventDefault(), navigate(`/c/${encodeURIComponent(delivery.conversation_id)}`))}
              >
                {delivery.conversation_id}
              </a>
            </td>
            <td>{delivery.kind}</td>
            <td>{delivery.attempt}</td>
            <td>{delivery.status_code ?? '—'}</td>
            <td>{delivery.latency_ms === null ? '—' : `${delivery.latency_ms} ms`}</td>
            <td>{delivery.outcome}</td>
            <td className="text">{problemOf(delivery)}</td>
            <td>
              {delivery.kind === 'sync' && delivery.outcome !== 'delivered' && (
                <button type="button" onClick={() => void replay.run(() => replayDelivery(delivery.id))}>
                  Replay
                </button>
              )}
            </td>
          </tr>
        ))}
      </Table>
      {log.hasNextPage && (
        <button type="button" onClick={() => void log.fetchNextPage()}>
          Older
        </button>
      )}
    </Section>
  );
}
