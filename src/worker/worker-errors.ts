import type { Logger } from '../logger.js';
import { isRedisUnavailable } from '../redis.js';

/** While Redis stays unreachable, a worker says so again at most this often. */
export const UNREACHABLE_REPEAT_MS = 30_000;

/**
 * A BullMQ worker's `error` events, logged for the people who read them. While Redis cannot be
 * reached, each of the worker's connections reports every reconnect try, several a second: that is
 * said once, then at most every 30 s with how many such errors came since (`repeated`). The worker
 * waits and resumes by itself. Any other error is logged each time.
 */
export function logWorkerErrors(logger: Logger, worker: string, now: () => number = Date.now) {
  let saidAt = Number.NEGATIVE_INFINITY;
  let repeated = 0;
  return (err: Error): void => {
    if (!isRedisUnavailable(err)) {
      logger.error({ err }, `${worker} worker error`);
      return;
    }
    const at = now();
    if (at - saidAt < UNREACHABLE_REPEAT_MS) {
      repeated++;
      return;
    }
    logger.warn(
      { err, ...(repeated > 0 ? { repeated } : {}) },
      `${worker} worker cannot reach Redis: it waits and resumes by itself`,
    );
    saidAt = at;
    repeated = 0;
  };
}
