/**
 * A safety net for tests that hand Finch addresses it must refuse (10.0.0.1, 169.254.169.254…):
 * while it is up, a socket asked to connect to an IP address outside loopback fails at once
 * instead of sending a packet, and the attempt is recorded. The code under test refuses such
 * addresses before any socket exists, so the record stays empty; should that ever regress, the
 * test fails on the record and nothing has left the machine.
 */
import net from 'node:net';

export interface LoopbackOnly {
  /** IP addresses something tried to connect to outside loopback. */
  readonly attempts: string[];
  restore(): void;
}

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

export function loopbackOnly(): LoopbackOnly {
  const attempts: string[] = [];
  const original = net.Socket.prototype.connect;
  // Every client socket (plain, TLS, http's and https's agents) connects through this method. A
  // host name is resolved inside it, so only IP literals are caught: these tests use no host
  // name but `localhost`.
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const options = (Array.isArray(args[0]) ? args[0][0] : args[0]) as { host?: string } | number | string | undefined;
    const host = typeof options === 'object' && options !== null ? options.host : typeof args[1] === 'string' ? args[1] : undefined;
    const bare = host?.replace(/^\[(.*)\]$/, '$1');
    const family = bare ? net.isIP(bare) : 0;
    if (bare && family !== 0 && !LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6')) {
      attempts.push(bare);
      process.nextTick(() => this.destroy(Object.assign(new Error(`test safety net: no connection to ${bare}`), { code: 'ETESTSAFETY' })));
      return this;
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
  return {
    attempts,
    restore: () => {
      net.Socket.prototype.connect = original;
    },
  };
}
