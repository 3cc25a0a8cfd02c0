/**
 * Listening on the configured address, with the operator's words when it cannot: a port already in
 * use (another Finch, or anything else), a port this user may not open, an address this machine
 * does not have. Those are setup mistakes, so the error names the variable to change.
 */
import type { FastifyInstance } from 'fastify';

/** A listen failure the operator fixes by changing a setting; `finch` exits with status 2 on it. */
export class ListenError extends Error {
  constructor(
    message: string,
    /** The system's code: EADDRINUSE, EACCES, EADDRNOTAVAIL, … */
    readonly code: string,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

export interface ListenTarget {
  host: string;
  port: number;
  /** How the operator sets the port and the host, e.g. `FINCH_PORT` and `FINCH_HOST`. */
  portSetting: string;
  hostSetting: string;
}

/** `app.listen` on the target; a failure becomes a `ListenError` saying which setting to change. */
export async function listenOn(app: FastifyInstance, target: ListenTarget): Promise<void> {
  try {
    await app.listen({ host: target.host, port: target.port });
  } catch (error) {
    throw listenError(error, target);
  }
}

/** The error to report for a failed listen: a `ListenError` for the known codes, else `error`. */
export function listenError(error: unknown, { host, port, portSetting, hostSetting }: ListenTarget): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new ListenError(
        `${portSetting}: ${where} is already in use (by another Finch, or another program); stop what listens there or set ${portSetting} to a free port`,
        code,
      );
    case 'EACCES':
      return new ListenError(
        `${portSetting}: not allowed to listen on ${where} (ports below 1024 need privileges); set ${portSetting} to a port above 1023`,
        code,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ListenError(`${hostSetting}: this machine has no address ${host}; set ${hostSetting} to one of its addresses (127.0.0.1, 0.0.0.0, …)`, code);
    default:
      return error;
  }
}
