import type { Queue } from 'bullmq';
import type { Logger } from '../logger.js';
import { jobIdFor } from '../methods/index.js';
import type { PayoutStore } from '../payout/store.js';
import { ensurePayoutJob, type PayoutJobData } from '../queues.js';

/**
 * The sweep re-adds the job of any payout that should have one and lost it (a crash between writing
 * the record and adding its job, or a job removed by hand).
 */

export interface SweepOptions {
  /** A queued payout this old without a job is repaired. */
  queuedGraceMs: number;
  /** A payout in `sending` this long is checked: its job may have died with its worker. */
  sendingGraceMs: number;
}

export async function sweep(
  deps: { store: PayoutStore; payoutQueue: Queue<PayoutJobData>; logger: Logger },
  opts: SweepOptions,
  now = Date.now(),
): Promise<number> {
  let repaired = 0;
  const check = async (externalId: string, delayUntil?: number) => {
    const before = await deps.payoutQueue.getJobState(jobIdFor(externalId));
    await ensurePayoutJob(deps.payoutQueue, externalId, { delayUntil });
    const after = await deps.payoutQueue.getJobState(jobIdFor(externalId));
    if (before !== after) {
      repaired++;
      deps.logger.warn(
        { external_id: externalId, job_state_was: before },
        'sweep: re-added a missing payout job',
      );
    }
  };
  for (const { externalId } of await deps.store.list('queued', {
    before: now - opts.queuedGraceMs,
    limit: 1000,
  })) {
    await check(externalId);
  }
  for (const { externalId } of await deps.store.list('retry_scheduled', { limit: 1000 })) {
    const record = await deps.store.get(externalId);
    if (record?.status === 'retry_scheduled') await check(externalId, record.nextAttemptAt);
  }
  for (const { externalId } of await deps.store.list('sending', {
    before: now - opts.sendingGraceMs,
    limit: 1000,
  })) {
    await check(externalId);
  }
  return repaired;
}
