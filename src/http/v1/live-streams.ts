/**
 * The open event streams of this process (`GET /api/v1/events`, routes/events.ts), kept apart from
 * the route so the plugin and the routes share it without importing each other.
 */

/** What the registry needs of an open stream: check its credential again, or end it. */
export interface LiveStream {
  verify(): Promise<void>;
  end(): Promise<void>;
}

/** The open streams of this process, by agent, so a change to an agent's credentials here is felt at once. */
export class LiveStreams {
  private readonly open = new Map<LiveStream, string>();
  private closing = false;

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

  async endAll(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.open.keys()].map((stream) => stream.end()));
  }
}
