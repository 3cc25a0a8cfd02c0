/**
 * Waking dispatchers in other processes on PostgreSQL: writers NOTIFY this channel in the
 * transaction that fills the outbox, dispatchers LISTEN on a connection of their own. (SQLite has no
 * such thing; dispatchers in other processes find new events at their next poll.)
 */
import pg from 'pg';

export const OUTBOX_CHANNEL = 'finch_outbox';

/** Calls `onNotify` for every notification until the returned function is called. */
export async function listenForOutbox(url: string, onNotify: () => void, onError: (error: Error) => void): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', onError);
  client.on('notification', onNotify);
  await client.connect();
  await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
  return async () => {
    await client.end().catch(() => undefined);
  };
}
