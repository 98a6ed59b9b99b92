import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobIdFor } from '../methods/index.js';
import { ensurePayoutJob, type PayoutJobData } from '../queues.js';
import { ALL_SYSTEMS } from './pause.js';

/** Resuming: the payouts a pause held (noted by the claims that found them paused) are woken. */

/** Held payouts read and woken per round while resuming. */
const WAKE_BATCH = 200;

/**
 * Wakes one held payout: its job runs now (it waits, parked, in the delayed set; or it has finished
 * and one is added). Always safe: the claim decides whether anything is sent.
 */
async function wake(queue: Queue<PayoutJobData>, externalId: string): Promise<void> {
  const job = await queue.getJob(jobIdFor(externalId));
  if (job && (await job.getState()) === 'delayed') {
    // Lost to a job that moved on meanwhile: then it runs anyway.
    await job.promote().catch(() => undefined);
    return;
  }
  await ensurePayoutJob(queue, externalId);
}

/** Wakes every held payout that no remaining pause covers; returns how many. */
export async function wakeHeld(
  deps: { redis: Redis; queue: Queue<PayoutJobData>; held: string },
  remaining: Set<string>,
): Promise<number> {
  const { redis } = deps;
  if (remaining.has(ALL_SYSTEMS)) return 0;
  let woken = 0;
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(deps.held, cursor, 'COUNT', WAKE_BATCH);
    cursor = next;
    const ids: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) if (!remaining.has(flat[i + 1]!)) ids.push(flat[i]!);
    await Promise.all(ids.map((id) => wake(deps.queue, id)));
    // Only once its job is woken: a resume cut short leaves the rest held, for the next resume or
    // the parked job's own re-check.
    if (ids.length > 0) await redis.hdel(deps.held, ...ids);
    woken += ids.length;
  } while (cursor !== '0');
  return woken;
}
