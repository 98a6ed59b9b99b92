import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { ORDER_NOT_FOUND } from '../gateway/classify.js';
import { type GatewayOutcome, statusMeaning } from '../gateway/outcome.js';
import type { Logger } from '../logger.js';
import { jobIdFor } from '../methods/index.js';
import { applyGatewayReport } from '../payout/gateway-report.js';

/** What the reconciler needs of the gateway client. */
export interface StatusPoller {
  status(orderId: string): Promise<GatewayOutcome>;
}

import type { PayoutStore } from '../payout/store.js';
import { ensurePayoutJob, type PayoutJobData, QUEUE } from '../queues.js';
import { approvalCheckEveryMs, expireApprovals } from './expire-approvals.js';

/**
 * Housekeeping on a queue of its own, driven by BullMQ's job scheduler (no timer loops): the sweep
 * re-adds the job of any payout that should have one and lost it (a crash between writing the record
 * and adding its job, or a job removed by hand).
 */

export interface MaintenanceJobData {
  kind: 'sweep' | 'reconcile' | 'expire_approvals';
}

export interface ReconcileOptions {
  /** A submitted payout without a final status this long is polled. */
  afterMs: number;
  /** A submitted payout this old is moved to needs_review so operators see it; never to failed. */
  reviewDeadlineMs: number;
  /** Polls per run, for each of the two lists. @defaultValue 500 */
  pollsPerRun?: number;
}

/** Why a submitted payout that waited past REVIEW_DEADLINE_MS is in needs_review. */
const OVERDUE = 'no_final_status_within_deadline';

/** Payouts polled per run at most, so one run stays short; the rest wait for the next run. */
const POLLS_PER_RUN = 500;
/**
 * needs_review payouts read per run at most while looking for ones to poll: those without an order_id
 * (an answer lost in flight) wait for an operator, and must not hide the pollable ones behind them.
 */
const REVIEW_READS_PER_RUN = 20 * POLLS_PER_RUN;

/**
 * Asks the gateway about payouts whose final status has not come: submitted ones older than
 * `afterMs`, and needs_review ones that have an order_id. The answer is applied like a callback.
 * Nothing is ever written off as failed because time passed.
 */
export async function reconcile(
  deps: { store: PayoutStore; gateway: StatusPoller; logger: Logger; onContradiction?: (id: string) => void },
  opts: ReconcileOptions,
  now = Date.now(),
): Promise<{ polled: number; applied: number; overdue: number }> {
  const pollsPerRun = opts.pollsPerRun ?? POLLS_PER_RUN;
  let polled = 0;
  let applied = 0;
  let overdue = 0;
  /** Polls the gateway about one payout: `no_order` when it has none to ask about, `moved` when applied. */
  const poll = async (externalId: string): Promise<'no_order' | 'moved' | 'stayed'> => {
    const record = await deps.store.get(externalId);
    if (!record?.orderId) return 'no_order';
    polled++;
    const outcome = await deps.gateway.status(record.orderId);
    if (outcome.kind === 'accepted' || outcome.kind === 'final' || outcome.kind === 'unknown_status') {
      const a = outcome.answer;
      // Overdue and still pending: it stays in review (back in submitted it would only time out again).
      if (record.reason === OVERDUE && statusMeaning(a.status) === 'pending') return 'stayed';
      const res = await applyGatewayReport(
        deps,
        externalId,
        { status: a.status, orderId: a.order_id, reasonCode: a.reason_code, reason: a.reason },
        'reconciler',
      );
      if (res.result === 'applied') {
        applied++;
        return 'moved';
      }
    } else if (outcome.kind === 'rejected' && outcome.code === ORDER_NOT_FOUND) {
      // An order_id we were given and the gateway denies: the operator must ask the gateway about it.
      deps.logger.warn(
        { external_id: externalId, order_id: record.orderId, outcome: outcome.kind, code: outcome.code },
        'status poll: the gateway does not know this order; will poll again',
      );
    } else {
      deps.logger.info(
        { external_id: externalId, outcome: outcome.kind, reason: outcome.message },
        `status poll gave no status (${outcome.message}); will poll again`,
      );
    }
    return 'stayed';
  };
  for (const { externalId, since } of await deps.store.list('submitted', {
    before: now - opts.afterMs,
    limit: pollsPerRun,
  })) {
    await poll(externalId);
    if (since < now - opts.reviewDeadlineMs && (await deps.store.get(externalId))?.status === 'submitted') {
      const moved = await deps.store.transition(externalId, 'gateway_unknown', {
        actor: 'reconciler',
        reason: OVERDUE,
      });
      if (moved.ok) overdue++;
    }
  }
  // Oldest first, page by page, past those that have no order to ask about. A payout the poll moved
  // has left the index, so the next page starts that much earlier.
  let reviewPolls = 0;
  let offset = 0;
  for (let read = 0; reviewPolls < pollsPerRun && read < Math.max(REVIEW_READS_PER_RUN, pollsPerRun); ) {
    const page = await deps.store.list('needs_review', { offset, limit: pollsPerRun });
    for (const { externalId } of page) {
      if (reviewPolls >= pollsPerRun) break;
      read++;
      const result = await poll(externalId);
      if (result !== 'no_order') reviewPolls++;
      if (result !== 'moved') offset++;
    }
    if (page.length < pollsPerRun) break;
  }
  return { polled, applied, overdue };
}

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

export function createMaintenance(deps: {
  connection: Redis;
  queuePrefix: string;
  store: PayoutStore;
  payoutQueue: Queue<PayoutJobData>;
  logger: Logger;
  gateway: StatusPoller;
  sweepEveryMs: number;
  sweep: SweepOptions;
  reconcileEveryMs: number;
  reconcile: ReconcileOptions;
  /** How long a payout may wait in awaiting_approval (APPROVAL_TIMEOUT_MS). */
  approvalTimeoutMs: number;
  /** Lock duration, as for payout jobs. */
  lockMs?: number;
  onContradiction?: (externalId: string) => void;
}) {
  const prefix = deps.queuePrefix;
  const queue = new Queue<MaintenanceJobData>(QUEUE.maintenance, { connection: deps.connection, prefix });
  queue.on('error', () => undefined); // the connection's own listener logs outages once
  const worker = new Worker<MaintenanceJobData>(
    QUEUE.maintenance,
    async (job: Job<MaintenanceJobData>) => {
      switch (job.data.kind) {
        case 'sweep':
          return { repaired: await sweep(deps, deps.sweep) };
        case 'reconcile':
          return reconcile(deps, deps.reconcile);
        case 'expire_approvals':
          return { expired: await expireApprovals(deps, { timeoutMs: deps.approvalTimeoutMs }) };
        default:
          return undefined;
      }
    },
    {
      connection: deps.connection,
      prefix,
      concurrency: 1,
      autorun: false,
      ...(deps.lockMs ? { lockDuration: deps.lockMs, stalledInterval: deps.lockMs } : {}),
    },
  );
  worker.on('error', (err) => deps.logger.error({ err }, 'maintenance worker error'));
  return {
    queue,
    worker,
    async start() {
      await queue.upsertJobScheduler(
        'sweep',
        { every: deps.sweepEveryMs },
        { name: 'sweep', data: { kind: 'sweep' }, opts: { removeOnComplete: 100, removeOnFail: 100 } },
      );
      await queue.upsertJobScheduler(
        'reconcile',
        { every: deps.reconcileEveryMs },
        {
          name: 'reconcile',
          data: { kind: 'reconcile' },
          opts: { removeOnComplete: 100, removeOnFail: 100 },
        },
      );
      await queue.upsertJobScheduler(
        'expire_approvals',
        { every: approvalCheckEveryMs(deps.approvalTimeoutMs) },
        {
          name: 'expire_approvals',
          data: { kind: 'expire_approvals' },
          opts: { removeOnComplete: 100, removeOnFail: 100 },
        },
      );
      void worker.run();
    },
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
