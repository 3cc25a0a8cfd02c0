/**
 * An open inbox's connection (its live event stream), as presence counts it: opened when the
 * stream starts, renewed while it stays open, closed when it ends (issue 12, item 1; see
 * domain/presence/presence.ts). The HTTP edge's stream registry calls these.
 */
import { newId } from '../../ids.js';
import { CONNECTION_TTL_MS, type PresenceSignal } from '../../presence/presence.js';
import type { HelpdeskContext } from '../context.js';

const expiry = (now: Date) => new Date(now.getTime() + CONNECTION_TTL_MS).toISOString();

/**
 * Records a new connection of the agent's on `node`; answers its id. The agent's first live
 * connection brings them back from offline: every node hears of it and the router is woken.
 */
export async function openConnection(ctx: HelpdeskContext, agentId: string, node: string): Promise<string> {
  const now = ctx.now();
  const at = now.toISOString();
  const id = newId('conn', now.getTime());
  const first = await ctx.transaction(async (tx) => {
    const before = await tx.presence.liveConnections(agentId, at);
    await tx.presence.openConnection({ id, agentId, node, at, expiresAt: expiry(now) });
    return before === 0;
  });
  if (first) {
    await ctx.presence.announce([{ team: true }]);
    ctx.routing.wake();
  }
  return id;
}

/**
 * Renews the connections (one statement for all of a node's). Answers the ids that no longer
 * existed: ended elsewhere (their expiry passed while this node stalled); the caller opens them again.
 */
export async function renewConnections(ctx: HelpdeskContext, ids: readonly string[]): Promise<string[]> {
  const now = ctx.now();
  const renewed = new Set(await ctx.transaction((tx) => tx.presence.renewConnections(ids, now.toISOString(), expiry(now))));
  return ids.filter((id) => !renewed.has(id));
}

/**
 * Closes the connections; for each agent left with none, every node hears the team changed (they
 * are offline now), and every conversation they showed, who is on it.
 */
export async function closeConnections(ctx: HelpdeskContext, ids: readonly string[]): Promise<void> {
  const at = ctx.now().toISOString();
  const signals = await ctx.transaction(async (tx) => {
    const ended = await tx.presence.closeConnections(ids);
    const found: PresenceSignal[] = [];
    for (const agentId of new Set(ended.map((connection) => connection.agentId))) {
      if ((await tx.presence.liveConnections(agentId, at)) === 0) found.push({ team: true });
    }
    for (const connection of ended) if (connection.viewing !== null) found.push({ conversationId: connection.viewing });
    return found;
  });
  if (signals.length > 0) await ctx.presence.announce(signals);
  // Someone went offline: the router may return their conversations.
  if (signals.some((signal) => 'team' in signal)) ctx.routing.wake();
}
