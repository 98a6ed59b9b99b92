import type { Logger } from '../logger.js';
import type { PayoutState } from '../payout/states.js';
import type { PayoutStore } from '../payout/store.js';
import { isRedisUnavailable } from '../redis.js';

/**
 * Tries of writing a gateway answer that Redis could not take, and the pause before the next: doubling
 * from 100 ms to at most 2 s, about 11 s in all, to outlast a fail-over (READONLY from a replica is
 * answered at once, so the connection does not wait it out).
 */
const RECORD_TRIES = 10;
const RECORD_RETRY_MS = 100;
const RECORD_MAX_RETRY_MS = 2_000;

const pauseAfter = (attempt: number) => Math.min(RECORD_RETRY_MS * 2 ** (attempt - 1), RECORD_MAX_RETRY_MS);

/**
 * The longest a live holder may spend in pauses between its tries at writing an answer (11.1 s): its
 * send window (payout-worker.ts) covers it, so no second delivery takes the holder for lost meanwhile.
 */
export const RECORD_RETRY_BUDGET_MS = Array.from({ length: RECORD_TRIES - 1 }, (_, i) =>
  pauseAfter(i + 1),
).reduce((a, b) => a + b, 0);

/**
 * Writes what follows from the gateway's answer. The answer is known, so a write cut off by a lost
 * connection is tried again (the worker's connection waits out an outage) instead of leaving the
 * payout `sending` for the job's next try to hand to review. A try is made again only while the
 * payout is still `sending` under this claim's token: once it has left, the lost try (or another
 * writer, such as a callback) moved it, and writing again could apply the answer twice or over a
 * newer one. Returns `{ left }`, the state it is now in, in that case.
 */
export async function recordAnswer<T>(
  deps: { store: PayoutStore; logger: Logger },
  externalId: string,
  token: string,
  write: () => Promise<T>,
  answer: Record<string, unknown>,
): Promise<{ written: T } | { left: PayoutState | undefined }> {
  const { store, logger } = deps;
  for (let attempt = 1; ; attempt++) {
    try {
      if (attempt > 1) {
        const record = await store.get(externalId);
        if (record?.status !== 'sending' || record.token !== token) {
          logger.warn(
            { external_id: externalId, status: record?.status },
            "the gateway answer's record write lost its connection, and the payout has moved since; not written again",
          );
          return { left: record?.status };
        }
      }
      return { written: await write() };
    } catch (err) {
      if (!isRedisUnavailable(err)) throw err;
      if (attempt >= RECORD_TRIES) {
        // The payout stays sending, and its job's next try decides it as a lost holder's
        // (claim-refused.ts; needs_review by default): this line is where an operator finds what
        // the gateway said (its order_id above all) to resolve it.
        logger.error(
          { external_id: externalId, ...answer, err },
          'the gateway answer could not be recorded: the payout will be taken as lost mid-send (needs_review by default); resolve it with this answer',
        );
        throw err;
      }
      logger.warn(
        { external_id: externalId, attempt, err },
        'recording the gateway answer lost its connection; trying again',
      );
      await new Promise((resolve) => setTimeout(resolve, pauseAfter(attempt)));
    }
  }
}
