/**
 * Ends the connections of inboxes whose node died (issue 12, item 1): a row not renewed for its
 * lifetime (60 s) already counts as gone, so presence is right without this job; deleting the rows
 * tells every node who went offline and who stopped viewing a conversation, and keeps the table
 * to the open inboxes. Every 30 s, on one node.
 */
import type { PresenceSignal } from '../domain/presence/presence.js';
import type { PresenceStore } from '../store/presence-port.js';
import type { Job, JobOutcome } from './job.js';

export class PresenceExpiryJob implements Job {
  readonly name = 'presence-expiry';
  readonly everyMs: number;

  constructor(
    private readonly options: {
      presence: Pick<PresenceStore, 'endExpiredConnections' | 'liveConnections' | 'announce'>;
      /** Agents may have gone offline: the router may return their conversations. */
      onOffline?: () => void;
      everyMs?: number;
    },
  ) {
    this.everyMs = options.everyMs ?? 30_000;
  }

  async run(now: Date): Promise<JobOutcome> {
    const at = now.toISOString();
    const { presence } = this.options;
    const ended = await presence.endExpiredConnections(at);
    if (ended.length === 0) return { ended: 0 };
    const signals: PresenceSignal[] = [];
    let offline = 0;
    for (const agentId of new Set(ended.map((connection) => connection.agentId))) {
      if ((await presence.liveConnections(agentId, at)) === 0) offline++;
    }
    if (offline > 0) signals.push({ team: true });
    for (const connection of ended) if (connection.viewing !== null) signals.push({ conversationId: connection.viewing });
    await presence.announce(signals);
    if (offline > 0) this.options.onOffline?.();
    return { ended: ended.length, offline };
  }
}
