/**
 * At most `limit` asynchronous tasks at a time, so the thread that feeds them (running the network
 * on the next image) overlaps with the workers that run them (the CRF on earlier images), with
 * memory bounded by the limit. The first failure is rethrown by the next `add` or by `drain`;
 * tasks already running finish first, so nothing is left writing behind an error.
 */
export class InFlight {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`InFlight: limit must be a positive integer, found ${limit}`);
  }

  /** Starts `task` once fewer than `limit` are running. */
  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit && this.failure === undefined) await Promise.race(this.running);
    if (this.failure) return this.drain();
    const p: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Waits for every task; throws the first failure. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
  }
}
