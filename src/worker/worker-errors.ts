import type { Logger } from '../logger.js';
import { isConnectionLost } from '../redis.js';

/** While a worker's connections stay cut, it says so again at most this often. */
export const CONNECTION_LOST_REPEAT_MS = 30_000;

/**
 * A BullMQ worker's `error` events, logged for the people who read them. Each of a worker's
 * connections reports every reconnect try, several a second, until Redis answers again: a lost
 * connection (redis.ts isConnectionLost) is said once, then at most every 30 s with how many such errors came since (`repeated`), while the worker
 * reconnects by itself; any other error, Redis refusing commands (OOM, READONLY, LOADING...) included, is logged each time.
 */
export function logWorkerErrors(logger: Logger, worker: string, now: () => number = Date.now) {
  let saidAt = Number.NEGATIVE_INFINITY;
  let repeated = 0;
  return (err: Error): void => {
    if (!isConnectionLost(err)) {
      logger.error({ err }, `${worker} worker error`);
      return;
    }
    const at = now();
    if (at - saidAt < CONNECTION_LOST_REPEAT_MS) {
      repeated++;
      return;
    }
    logger.error(
      { err, ...(repeated > 0 ? { repeated } : {}) },
      `${worker} worker lost its Redis connection: it reconnects by itself`,
    );
    saidAt = at;
    repeated = 0;
  };
}
