/**
 * A TCP proxy on loopback between Finch and its database, to drop the network: `cut` resets every
 * connection through it and refuses new ones, `mend` lets them through again; `stall` keeps every
 * connection open but stops forwarding (a blackholed network, a frozen server or host), new ones
 * included, until `flow`.
 */
import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private readonly pairs = new Set<Pair>();
  private down = false;
  private stalled = false;
  private readonly server = net.createServer((client) => this.accept(client));

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Connections open through the proxy now. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Resets every connection (as a dropped network or a rebooted host does) and refuses new ones. */
  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    this.pairs.clear();
  }

  mend(): void {
    this.down = false;
  }

  /**
   * Stops forwarding in both directions while every socket stays open, new ones accepted: what a
   * blackholed route or a frozen database host looks like to Finch. Bytes wait in the proxy.
   */
  stall(): void {
    this.stalled = true;
    for (const pair of this.pairs) this.hold(pair);
  }

  /** Forwards again, what waited first. */
  flow(): void {
    this.stalled = false;
    for (const pair of this.pairs) this.forward(pair);
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: net.Socket): void {
    if (this.down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    const pair = { client, upstream };
    this.sockets.add(client);
    this.sockets.add(upstream);
    this.pairs.add(pair);
    const forget = () => {
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    if (this.stalled) this.hold(pair);
    else this.forward(pair);
  }

  private forward({ client, upstream }: Pair): void {
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
    upstream.resume();
  }

  private hold({ client, upstream }: Pair): void {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  }
}
