/** Client timeouts for Finch's HTTP servers (and the emulator's): slow clients cannot hold connections. */
/**
 * How long a client may take, in milliseconds, so that slow or stalled clients (a slowloris
 * trickling its headers, an upload that stops) cannot hold connections open indefinitely.
 */
export interface HttpTimeouts {
  /** From the start of a request to the end of its headers. */
  headersMs: number;
  /**
   * From the start to the end of receiving a request, its body included (an upload of up to
   * FINCH_ATTACHMENT_LIMIT on a slow line). It ends when the request has arrived: the answer, an
   * event stream included, may take as long as it takes.
   */
  requestMs: number;
  /** A connection on which nothing moves, either way, for this long is closed. */
  idleMs: number;
  /** How long a connection is kept for a next request after an answer. */
  keepAliveMs: number;
}

export const HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: 10_000,
  requestMs: 300_000,
  // Above the event stream's keep-alive comments (every 20 s), which keep an idle stream moving.
  idleMs: 60_000,
  // Above the 60 s idle timeout of common load balancers, so that they close first.
  keepAliveMs: 72_000,
};

/** The servers' timeout settings for `timeouts`: Fastify's options and Node's (also the emulator's server). */
export function timeoutOptions(timeouts: HttpTimeouts) {
  const headersTimeout = Math.min(timeouts.headersMs, timeouts.requestMs);
  return {
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    requestTimeout: timeouts.requestMs,
    // Node checks the headers and request timeouts every `connectionsCheckingInterval` (30 s by
    // default): often enough that a connection is closed soon after its time is up.
    http: { headersTimeout, requestTimeout: timeouts.requestMs, connectionsCheckingInterval: Math.max(250, Math.min(5_000, Math.floor(headersTimeout / 2))) },
  };
}
