import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../logger.js';

/**
 * One read of Redis per scrape, shared by every gauge (and by the error counter, so a scrape
 * reports its own failures): prom-client collects all metrics of a scrape at once. A read that
 * fails or does not answer in time is counted, and its gauges are left out of that scrape.
 */

export interface Scrape {
  readonly registers: Registry[];
  /** This scrape's reads, started by the first metric collected and awaited by every other. */
  refresh(): Promise<void>;
  /** Rejects when `promise` has not settled within the scrape's timeout. */
  within<T>(promise: Promise<T>): Promise<T>;
  /** Counts (and logs at debug level) a read that failed or timed out. */
  failed(source: string, err: unknown): void;
}

export function createScrape(opts: {
  prefix: string;
  registers: Registry[];
  timeoutMs: number;
  logger?: Logger | undefined;
  /** Every read of a scrape, started together. */
  reads: () => (Promise<void> | undefined)[];
}): Scrape {
  const { registers, timeoutMs } = opts;
  const collectErrors = new Counter({
    name: `${opts.prefix}metrics_collect_errors_total`,
    help: 'Reads of Redis for a gauge that failed or timed out during a scrape.',
    labelNames: ['source'] as const,
    registers,
    collect: () => refresh(),
  });

  let inflight: Promise<void> | undefined;
  function refresh(): Promise<void> {
    inflight ??= Promise.all(opts.reads())
      .then(() => undefined)
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  return {
    registers,
    refresh,
    within: (promise) => within(promise, timeoutMs),
    failed(source, err) {
      collectErrors.inc({ source });
      opts.logger?.debug(
        { source, err: { message: err instanceof Error ? err.message : String(err) } },
        'metrics: could not read from Redis',
      );
    },
  };
}

/** Rejects when `promise` has not settled within `ms`: a worker connection waits out an outage forever. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
