import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { PayoutStore } from '../payout/store.js';
import { type PayoutJobData, QUEUE } from '../queues.js';
import { approvalCheckEveryMs, expireApprovals } from './expire-approvals.js';
import { type ReconcileOptions, reconcile, type StatusPoller } from './reconcile.js';
import { type SweepOptions, sweep } from './sweep.js';
import { logWorkerErrors } from './worker-errors.js';

export { type ReconcileOptions, reconcile, type StatusPoller } from './reconcile.js';
export { type SweepOptions, sweep } from './sweep.js';

/**
 * Housekeeping on a queue of its own, driven by BullMQ's job scheduler (no timer loops): the sweep
 * (sweep.ts), the status polls (reconcile.ts) and the approvals' expiry (expire-approvals.ts).
 */

export interface MaintenanceJobData {
  kind: 'sweep' | 'reconcile' | 'expire_approvals';
}

export interface MaintenanceDeps {
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
}

export function createMaintenance(deps: MaintenanceDeps) {
  const prefix = deps.queuePrefix;
  const queue = new Queue<MaintenanceJobData>(QUEUE.maintenance, { connection: deps.connection, prefix });
  queue.on('error', () => undefined); // the connection's own listener logs outages once
  const worker = new Worker<MaintenanceJobData>(
    QUEUE.maintenance,
    async (job: Job<MaintenanceJobData>) => runJob(deps, job),
    {
      connection: deps.connection,
      prefix,
      concurrency: 1,
      autorun: false,
      ...(deps.lockMs ? { lockDuration: deps.lockMs, stalledInterval: deps.lockMs } : {}),
    },
  );
  worker.on('error', logWorkerErrors(deps.logger, 'maintenance'));
  return {
    queue,
    worker,
    async start() {
      await scheduleJobs(deps, queue);
      void worker.run();
    },
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}

async function runJob(deps: MaintenanceDeps, job: Job<MaintenanceJobData>) {
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
}

/** The three housekeeping jobs' schedulers, in this order. */
async function scheduleJobs(deps: MaintenanceDeps, queue: Queue<MaintenanceJobData>): Promise<void> {
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
}
