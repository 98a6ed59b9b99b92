/**
 * The sandbox's timers, all in one place so that `close()` stops every pending delay, callback and
 * slow answer at once. Timers are unref'd: a sandbox never keeps a process alive on its own.
 */
export class Timers {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  /** Runs `fn` after `ms`, unless the timers are cleared first. */
  later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.pending.set(timer, () => {});
  }

  /** Resolves `true` after `ms`, or `false` as soon as the timers are cleared. */
  sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve(true);
      }, ms);
      timer.unref();
      this.pending.set(timer, () => resolve(false));
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Cancels everything pending; sleepers wake with `false`. Later calls do nothing. */
  clear(): void {
    this.closed = true;
    for (const [timer, cancel] of this.pending) {
      clearTimeout(timer);
      cancel();
    }
    this.pending.clear();
  }
}
