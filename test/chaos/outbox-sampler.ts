import type { Redis } from 'ioredis';
import { type ChaosRun, sleep } from './run-context.js';

/** The notification outbox's length over the run: how far the relay falls behind the changes. */

export interface OutboxSampler {
  /** The longest the outbox was, and when (ms since the first POST). */
  max: { length: number; atMs: number };
  stop(): Promise<void>;
}

export function sampleOutbox(run: ChaosRun, observer: Redis, outboxKey: string): OutboxSampler {
  const max = { length: 0, atMs: 0 };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const len = await Promise.race([observer.llen(outboxKey), sleep(1_000).then(() => -1)]).catch(() => -1);
      if (len > max.length) {
        max.length = len;
        max.atMs = run.at();
      }
      await sleep(500);
    }
  })();
  const stop = async () => {
    sampling = false;
    await sampler;
  };
  run.cleanup.add('outbox sampler', stop);
  return { max, stop };
}
