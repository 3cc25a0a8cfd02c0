/**
 * How a background loop (the router, the dispatcher) reports its failed cycles: an outage of what
 * it depends on (`isOutage`, e.g. the database unavailable) is said once when it starts and once
 * when it ends, with how long it lasted (ms), never once per cycle; any other failure is logged
 * each time as an error.
 */
export interface OutageLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface OutageMessages {
  /** A cycle failed for another reason. */
  failed: string;
  /** The outage began. */
  down: string;
  /** It ended. */
  back: string;
}

export class OutageLog {
  /** Since when cycles fail with an outage (ms since the epoch), if they do. */
  private downSince: number | undefined;

  constructor(
    private readonly logger: OutageLogger,
    private readonly messages: OutageMessages,
    private readonly isOutage: (error: unknown) => error is Error,
  ) {}

  failed(error: unknown): void {
    if (!this.isOutage(error)) {
      this.logger.error({ err: error }, this.messages.failed);
      return;
    }
    if (this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.logger.warn({ error: error.message }, this.messages.down);
  }

  /** A cycle succeeded: the outage, if any, is over. */
  succeeded(): void {
    if (this.downSince === undefined) return;
    this.logger.info({ downMs: Date.now() - this.downSince }, this.messages.back);
    this.downSince = undefined;
  }
}
