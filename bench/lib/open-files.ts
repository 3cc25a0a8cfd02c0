/**
 * A process's open files, split by what they are, from /proc (Linux only). A server's total grows
 * and shrinks with its clients' connections, which the clients decide: a keep-alive pool that
 * opened a socket in a slow moment keeps it. So a leak check must tell the server's own files
 * (database, listeners, outgoing connections, logs) from the connections clients hold to it, and
 * judge the second by whether the server still holds connections its client has closed.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface OpenFiles {
  /** TCP connections accepted on `port` (clients' connections to this server). */
  accepted: number;
  /** Of `accepted`, those whose client has closed and the server has not (CLOSE_WAIT): a leak if they stay. */
  closedByPeer: number;
  /** Connections to `databasePort` (PostgreSQL): its pool's, judged with the database's own count. */
  database: number;
  /** Everything else: the server's own files and outgoing connections. */
  own: number;
}

/** /proc/net/tcp's state column for a connection whose peer sent FIN and whose owner has not closed. */
const CLOSE_WAIT = '08';
const LISTEN = '0A';

interface TcpSocket {
  localPort: number;
  remotePort: number;
  state: string;
}

/** inode → socket, for every TCP socket in `pid`'s network namespace (IPv4 and IPv6). */
function tcpSockets(pid: number): Map<string, TcpSocket> {
  const sockets = new Map<string, TcpSocket>();
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …"
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const port = (address: string) => Number.parseInt(address.split(':')[1]!, 16);
      sockets.set(fields[9]!, { localPort: port(fields[1]!), remotePort: port(fields[2]!), state: fields[3]! });
    }
  }
  return sockets;
}

/** How many descriptors `pid` has open, and those of them that are TCP sockets; undefined once it is gone. */
function openSockets(pid: number): { descriptors: number; sockets: TcpSocket[] } | undefined {
  let descriptors: string[];
  try {
    descriptors = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  const all = tcpSockets(pid);
  const sockets: TcpSocket[] = [];
  for (const fd of descriptors) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed while being read
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    const socket = inode === undefined ? undefined : all.get(inode);
    if (socket) sockets.push(socket);
  }
  return { descriptors: descriptors.length, sockets };
}

/**
 * `pid`'s open files, with the connections accepted on `port` and those to `databasePort` apart;
 * undefined once it is gone. A pool keeps spare database connections for minutes after a busy
 * spell, so counted among its own files they would hide a leak of as many.
 */
export function readOpenFiles(pid: number, port: number, databasePort?: number): OpenFiles | undefined {
  const open = openSockets(pid);
  if (open === undefined) return undefined;
  const accepted = open.sockets.filter((socket) => socket.localPort === port && socket.state !== LISTEN);
  const closedByPeer = accepted.filter((socket) => socket.state === CLOSE_WAIT).length;
  const database = databasePort === undefined ? 0 : open.sockets.filter((socket) => socket.remotePort === databasePort).length;
  return { accepted: accepted.length, closedByPeer, database, own: open.descriptors - accepted.length - database };
}

/** How many connections to `port` process `pid` holds open (a client's side of `accepted`). */
export function connectionsTo(pid: number, port: number): number {
  return openSockets(pid)?.sockets.filter((socket) => socket.remotePort === port && socket.state !== CLOSE_WAIT).length ?? 0;
}
