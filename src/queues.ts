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

export const payoutJobOptions = {
  // Retries of the gateway call are decided by the worker (decide.ts) and scheduled as delays;
  // BullMQ's own attempts only cover a processor that crashed before it could decide.
  attempts: 20,
  backoff: { type: 'exponential', delay: 1_000 },
  // The record and its history are the payout's account; a finished job is kept only briefly for the dashboard.
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
  if (opts.isNew) {
    await queue.add('payout', { externalId }, { ...payoutJobOptions, jobId, delay });
    return;
  }
  const state = await queue.getJobState(jobId);
  if (state === 'completed' || state === 'failed') {
    const old = await queue.getJob(jobId);
    await old?.remove().catch(() => undefined);
  } else if (state !== 'unknown') {
    return; // waiting, delayed, active, prioritized: it will run
  }
  await queue.add('payout', { externalId }, { ...payoutJobOptions, jobId, delay });
}
