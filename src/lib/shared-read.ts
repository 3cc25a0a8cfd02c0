/**
 * One synchronous read shared by every caller that asked for it before it ran: the read runs once
 * at the event loop's next check phase (`setImmediate`), after the I/O callbacks of the current
 * turn, so the requests that arrived in one turn share it.
 *
 *   const version = new SharedRead(() => readVersion());
 *   const now = await version.get(); // read after this call, shared with this turn's callers
 *
 * The read always runs after the call that waits for it, never before: whatever was committed
 * before a request arrived is seen, exactly as if it had read alone (docs/decisions.md, "Token
 * lookups that share a statement"). A read that throws fails the callers that shared it.
 */
export class SharedRead<T> {
  private next: Promise<T> | undefined;

  constructor(private readonly read: () => T) {}

  /** The value as read after this call, at the next check phase. */
  get(): Promise<T> {
    this.next ??= new Promise<T>((resolve, reject) => {
      setImmediate(() => {
        // Callers from here on wait for the read after this one.
        this.next = undefined;
        try {
          resolve(this.read());
        } catch (error) {
          reject(error);
        }
      });
    });
    return this.next;
  }
}
