/**
 * The open event streams of this process (`GET /api/v1/events`, routes/events.ts), kept apart from
 * the route so the plugin and the routes share it without importing each other; and what presence
 * makes of them (`PresenceHub`): each stream is one of its agent's connections (an open inbox,
 * domain/presence/), and the presence and collision events every node announces reach them here.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { CollisionEvent } from '../../contract/presence.js';
import type { HelpdeskContext } from '../../domain/helpdesk/context.js';
import { closeConnections, openConnection, renewConnections } from '../../domain/helpdesk/presence/connections.js';
import { CONNECTION_RENEW_MS, type ConversationWatcher, nextTypingFade, othersOn, type PresenceSignal } from '../../domain/presence/presence.js';

/** What the registry needs of an open stream: check its credential again, or end it; and tell it of presence. */
export interface LiveStream {
  verify(): Promise<void>;
  end(): Promise<void>;
  /** Its connection, as presence counts it (set once the stream joined). */
  connectionId?: string | undefined;
  /** Sends an event (`team`, `collision`) with its JSON data. */
  send?(event: string, data: unknown): void;
}

/** The open streams of this process, by agent, so a change to an agent's credentials here is felt at once. */
export class LiveStreams {
  private readonly open = new Map<LiveStream, string>();
  private closing = false;
  private hub: PresenceHub | undefined;

  add(stream: LiveStream, agentId: string): void {
    this.open.set(stream, agentId);
  }

  remove(stream: LiveStream): void {
    this.open.delete(stream);
  }

  /** The agent signed out, was deactivated, changed password or lost a token here: their streams check now. */
  recheck(agentId: string): Promise<void> {
    return Promise.all([...this.open].filter(([, owner]) => owner === agentId).map(([stream]) => stream.verify())).then(() => undefined);
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /**
   * The server is closing (its `preClose`): every stream ends now, without waiting for the
   * database, so the server stops listening at once; their connections are closed by `finish`.
   */
  async endAll(): Promise<void> {
    this.closing = true;
    this.hub?.closing();
    await Promise.all([...this.open.keys()].map((stream) => stream.end()));
  }

  /** After the server stopped listening (its `onClose`, before the database closes): presence lets go of this node's connections. */
  async finish(): Promise<void> {
    await this.hub?.stop();
  }

  /** Presence over these streams (one per process, made by the events route). */
  presence(ctx: HelpdeskContext, options: PresenceHubOptions = {}): PresenceHub {
    this.hub ??= new PresenceHub(ctx, () => this.open, options);
    return this.hub;
  }
}

export interface PresenceHubOptions {
  /** How often this node renews its streams' connections (ms). */
  renewMs?: number;
  /** Presence could not be kept (the database is down): for the log. */
  onTrouble?: (error: unknown) => void;
}

/** Signals for one conversation this close together are answered with one read. */
const COLLISION_COALESCE_MS = 20;

/**
 * Presence for this process's streams: opens a connection row when a stream joins and closes it
 * when it ends, renews them all in one statement every `renewMs` (a stream whose row was ended
 * elsewhere is ended, and its inbox connects again), and relays what every node announces: `team`
 * to every stream (the inbox reads the team again), and for a conversation, to each stream viewing
 * it, who else views it and who types (`collision`), again when a typing fades.
 */
export class PresenceHub {
  /** This process, as connection rows name it. */
  readonly node = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private subscription: Promise<() => Promise<void>> | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly fades = new Map<string, NodeJS.Timeout>();
  /** The conversation each local connection was last told about: what to read again after missed signals. */
  private readonly viewing = new Map<string, string>();
  private stopped = false;
  /** The server is closing: connections that end are closed together by `stop`. */
  private ending: string[] | undefined;
  /** Closings in flight, which `stop` waits for. */
  private readonly leaving = new Set<Promise<void>>();

  constructor(
    private readonly ctx: HelpdeskContext,
    private readonly streams: () => ReadonlyMap<LiveStream, string>,
    private readonly options: PresenceHubOptions,
  ) {}

  /** Counts the stream as an open inbox of `agentId`'s; answers its connection id. Throws when the database cannot say so. */
  async join(agentId: string): Promise<string> {
    this.subscription ??= this.ctx.presence.subscribe(
      (signals) => this.heard(signals),
      () => this.missed(),
    );
    try {
      await this.subscription;
    } catch (error) {
      this.subscription = undefined;
      throw error;
    }
    const id = await openConnection(this.ctx, agentId, this.node);
    this.renewTimer ??= setInterval(() => void this.renew(), this.options.renewMs ?? CONNECTION_RENEW_MS).unref();
    return id;
  }

  /** The stream ended: its connection goes (the agent may be offline now). */
  async leave(connectionId: string): Promise<void> {
    this.viewing.delete(connectionId);
    if (this.ending) {
      this.ending.push(connectionId);
      return;
    }
    const closing = this.close([connectionId]);
    this.leaving.add(closing);
    await closing;
    this.leaving.delete(closing);
  }

  /** The server is closing: see `LiveStreams.endAll`. */
  closing(): void {
    this.ending ??= [];
  }

  /** Closes the connections left, after those in flight, and stops listening. */
  async stop(): Promise<void> {
    await Promise.all(this.leaving);
    const left = this.ending ?? [];
    this.ending = [];
    await this.close(left);
    this.stopped = true;
    clearInterval(this.renewTimer);
    clearTimeout(this.flushTimer);
    for (const timer of this.fades.values()) clearTimeout(timer);
    const subscription = this.subscription;
    this.subscription = undefined;
    await (await subscription?.catch(() => undefined))?.();
  }

  private async close(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await closeConnections(this.ctx, ids);
    } catch (error) {
      // The rows expire by themselves.
      this.options.onTrouble?.(error);
    }
  }

  private async renew(): Promise<void> {
    const local = [...this.streams().keys()].filter((stream) => stream.connectionId !== undefined);
    if (local.length === 0) return;
    try {
      const gone = new Set(
        await renewConnections(
          this.ctx,
          local.map((stream) => stream.connectionId!),
        ),
      );
      for (const stream of local) if (gone.has(stream.connectionId!)) void stream.end();
    } catch (error) {
      this.options.onTrouble?.(error);
    }
  }

  private heard(signals: readonly PresenceSignal[]): void {
    for (const signal of signals) {
      if ('team' in signal) this.broadcast('team', {});
      else this.pending.add(signal.conversationId);
    }
    if (this.pending.size > 0) this.flushTimer ??= setTimeout(() => this.flush(), COLLISION_COALESCE_MS);
  }

  /** Signals may have been lost: everyone reads the team again, and each viewed conversation is told again. */
  private missed(): void {
    this.broadcast('team', {});
    this.heard([...new Set(this.viewing.values())].map((conversationId) => ({ conversationId })));
  }

  private flush(): void {
    this.flushTimer = undefined;
    const conversations = [...this.pending];
    this.pending.clear();
    for (const conversationId of conversations) void this.tell(conversationId);
  }

  /** Reads who is on the conversation and tells each local stream viewing it who else is. */
  private async tell(conversationId: string): Promise<void> {
    // Nobody here to tell: no read.
    if (this.stopped || this.streams().size === 0) return;
    const now = this.ctx.now();
    let watchers: ConversationWatcher[];
    try {
      watchers = await this.ctx.presence.watchersOf(conversationId, now.toISOString());
    } catch (error) {
      this.options.onTrouble?.(error);
      return;
    }
    const byConnection = new Map(watchers.map((watcher) => [watcher.connectionId, watcher]));
    for (const [stream, agentId] of this.streams()) {
      const id = stream.connectionId;
      if (id === undefined) continue;
      if (!byConnection.has(id)) {
        if (this.viewing.get(id) === conversationId) this.viewing.delete(id);
        continue;
      }
      this.viewing.set(id, conversationId);
      const event: CollisionEvent = { conversation_id: conversationId, ...othersOn(watchers, agentId, now) };
      stream.send?.('collision', event);
    }
    clearTimeout(this.fades.get(conversationId));
    this.fades.delete(conversationId);
    const fade = nextTypingFade(watchers, now);
    if (fade !== undefined) {
      const timer = setTimeout(
        () => {
          this.fades.delete(conversationId);
          this.heard([{ conversationId }]);
        },
        fade - now.getTime() + 1,
      );
      timer.unref();
      this.fades.set(conversationId, timer);
    }
  }

  private broadcast(event: string, data: unknown): void {
    for (const stream of this.streams().keys()) stream.send?.(event, data);
  }
}
