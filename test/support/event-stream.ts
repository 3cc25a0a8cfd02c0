/**
 * A Server-Sent Events client over `fetch`, as EventSource would read the stream: events are
 * parsed as they arrive and kept, so a test can wait for one that came before it asked.
 */
export interface ServerSentEvent {
  /** `message` when the server named none; `comment` for a comment line. */
  event: string;
  data: string;
  /** When it arrived (performance.now()). */
  at: number;
}

export class EventStreamClient {
  readonly events: ServerSentEvent[] = [];
  /** Resolves when the server ends the stream (or the connection breaks). */
  readonly ended: Promise<void>;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    this.ended = this.read(response.body!);
  }

  /** Connects; the response is kept whatever its status, for tests of refusals. */
  static async connect(url: string, headers: Record<string, string> = {}): Promise<EventStreamClient> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    return new EventStreamClient(response, abort);
  }

  /** A position in the events so far: `next` waits for an event after it. */
  mark(): number {
    return this.events.length;
  }

  /** The first event from `from` on that `matches`, waiting up to `timeoutMs` for it. */
  async next(matches: (event: ServerSentEvent) => boolean, options: { from?: number; timeoutMs?: number } = {}): Promise<ServerSentEvent> {
    const { from = 0, timeoutMs = 1000 } = options;
    const find = () => this.events.slice(from).find(matches);
    const found = find();
    if (found) return found;
    return new Promise((resolve, reject) => {
      const check = () => {
        const event = find();
        if (!event) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(event);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events.slice(from).map(({ event, data }) => ({ event, data })))}`),
        );
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** The first `conversations` event from `from` on that names `conversationId`. */
  changeOf(conversationId: string, options: { from?: number; timeoutMs?: number } = {}): Promise<ServerSentEvent> {
    return this.next((event) => event.event === 'conversations' && idsOf(event).includes(conversationId), options);
  }

  close(): void {
    this.abort.abort();
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.received(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // Aborted by the test, or the connection broke: the stream has ended either way.
    }
  }

  private received(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.events.push({ event: 'comment', data: line.slice(1).trim(), at: performance.now() });
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) this.events.push({ event, data: data.join('\n'), at: performance.now() });
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** The conversation ids of a `conversations` event. */
export function idsOf(event: ServerSentEvent): string[] {
  return (JSON.parse(event.data) as { ids: string[] }).ids;
}
