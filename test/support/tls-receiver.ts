/**
 * A stand-in for Fin's webhook endpoint over HTTPS on 127.0.0.1, with a certificate for
 * `localhost`, `127.0.0.1` and `::1` from the test CA in `tls/` (made for these tests only, valid
 * until 2126; the CA's key was thrown away after signing). It counts every TCP connection, so a
 * test can tell that a refused target was never connected to.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TLS = path.join(import.meta.dirname, 'tls');

/** The test CA, for NODE_EXTRA_CA_CERTS in a Finch process. */
export const TEST_CA_FILE = path.join(TLS, 'ca.pem');

export class TlsReceiver {
  /** TCP connections accepted, handshake or not. */
  connections = 0;
  readonly received: { path: string; headers: Record<string, unknown>; body: string }[] = [];
  answer: { status: number; body: string } = { status: 202, body: '{"status":"accepted"}' };
  private readonly server = https.createServer(
    { key: readFileSync(path.join(TLS, 'localhost-key.pem')), cert: readFileSync(path.join(TLS, 'localhost.pem')) },
    (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        this.received.push({ path: request.url ?? '', headers: request.headers, body });
        response.writeHead(this.answer.status, { 'content-type': 'application/json' });
        response.end(this.answer.body);
      });
    },
  );

  async start(): Promise<this> {
    this.server.on('connection', () => this.connections++);
    // A failed handshake (an untrusted certificate) is the client's business, not a test failure.
    this.server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
