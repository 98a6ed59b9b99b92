import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobIdFor } from './methods/index.js';

/** Queue names. Every queue lives under the deployment's QUEUE_PREFIX. */
export const QUEUE = {
  payouts: 'payouts',
  maintenance: 'maintenance',
} as const;

/** A payout job carries the external_id and nothing else. */
export interface PayoutJobData {
  externalId: string;
}

/**
 * A payout job's options: its id (and a delay) only. Retries of the gateway call are decided by the
 * worker (decide.ts) and scheduled as delays. A processor that crashed before it could decide is tried
 * again by BullMQ, up to CRASH_ATTEMPTS times, waiting 1 s, 2 s, 4 s, ... between them
 * (crashRetryDelay): the worker gives the failing job that policy (payout-worker.ts) instead of every
 * job carrying it, since Redis keeps a job's hash in its compact form (listpack, about a third of the
 * bytes) only while every value is at most 64 bytes: with its options
 * `{"jobId":"p-<external_id>","attempts":0}` (BullMQ writes the 0), a job stays compact for an
 * external_id of up to 37 characters (a UUID is 36). Jobs added before carry `attempts` and
 * `backoff` of their own, which the worker keeps.
 */
export const CRASH_ATTEMPTS = 20;

/** The backoff named for a crashed processor's retries: the worker's strategy (crashRetryDelay) reads it. */
export const CRASH_BACKOFF = { type: 'e' } as const;

/**
 * The delay before the next attempt of a job whose processor crashed, given the attempts made with
 * this one (BullMQ's `exponential` with 1 s, which jobs added before carry as their own backoff).
 */
export const crashRetryDelay = (attemptsMade: number): number =>
  Math.round(2 ** Math.max(0, attemptsMade - 1) * 1_000);

/**
 * Finished jobs kept, set on the worker (a job's own setting, as jobs added before it carry, wins):
 * the record and its history are the payout's account; a finished job is kept only briefly for the
 * dashboard.
 */
export const payoutKeepJobs = {
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 10_000 },
} as const;

/**
 * BullMQ's event stream (for QueueEvents listeners, which nothing here uses) keeps 10,000 entries by
 * default, several per payout; the payout's history is its account, so a short stream is enough.
 */
export const EVENTS_KEPT = 1_000;

export function createPayoutQueue(connection: Redis, queuePrefix: string): Queue<PayoutJobData> {
  return new Queue<PayoutJobData>(QUEUE.payouts, {
    connection,
    prefix: queuePrefix,
    streams: { events: { maxLen: EVENTS_KEPT } },
  });
}

/**
 * Makes sure a payout has a job that will run: adds one when there is none, or when the last one
 * has finished (a resend, or a job lost to a crash). Always safe: a job only sends after the worker
 * has claimed the record, so an extra job never sends twice.
 */
export async function ensurePayoutJob(
  queue: Queue<PayoutJobData>,
  externalId: string,
  opts: { delayUntil?: number | undefined; isNew?: boolean } = {},
): Promise<void> {
  const jobId = jobIdFor(externalId);
  // A payout created a moment ago has never had a job: add it without asking (the add is
  // idempotent by job id anyway).
  const delay = opts.delayUntil ? Math.max(0, opts.delayUntil - Date.now()) : 0;
  // No delay is not written down: one field less in every job's options.
  const options = delay > 0 ? { jobId, delay } : { jobId };
  if (opts.isNew) {
    await queue.add('payout', { externalId }, options);
    return;
  }
  const state = await queue.getJobState(jobId);
  if (state === 'completed' || state === 'failed') {
    const old = await queue.getJob(jobId);
    await old?.remove().catch(() => undefined);
  } else if (state !== 'unknown') {
    return; // waiting, delayed, active, prioritized: it will run
  }
  await queue.add('payout', { externalId }, options);
}
