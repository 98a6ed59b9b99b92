import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { Breakers } from './controls/breakers.js';
import type { Pauses } from './controls/pauses.js';
import type { GatewayClient } from './gateway/client.js';
import type { createLedgerPart } from './ledger/service.js';
import type { Logger } from './logger.js';
import type { Metrics } from './ops/metrics.js';
import type { PayoutStore } from './payout/store.js';
import { createPayoutQueue, type PayoutJobData } from './queues.js';
import { type ConnectOptions, checkEvictionPolicy } from './redis.js';
import { createMaintenance } from './worker/maintenance.js';
import { createNotifier } from './worker/notifier.js';
import { createPayoutWorker, payoutSendWindowMs } from './worker/payout-worker.js';

/**
 * The worker part of the system (`payouts worker`, and `payouts all`): the payout worker, the
 * maintenance jobs (sweeps, status polls, approval expiry), the notifier and the ledger's writers,
 * on worker-role connections that wait out Redis outages, from the parts the composition root
 * (system.ts) already made.
 */

export interface WorkerPartDeps {
  config: Config;
  log: Logger;
  /** Where the part registers what must be closed; the worker goes first. */
  closers: (() => Promise<unknown>)[];
  connect: (role: 'worker' | 'request', options?: ConnectOptions) => Redis;
  /** A payout store on the given connection. */
  storeOn: (redis: Redis) => PayoutStore;
  /** The pauses and breakers on the given connection and queue. */
  controlsOn: (redis: Redis, queue: Queue<PayoutJobData>) => { pauses: Pauses; breakers: Breakers };
  gateway: GatewayClient;
  metrics: Metrics;
  ledger: ReturnType<typeof createLedgerPart> | undefined;
  onContradiction: (kind: 'payout' | 'deposit') => () => void;
}

export async function startWorkers(
  deps: WorkerPartDeps,
): Promise<{ worker: Worker<PayoutJobData>; storeConnection: Redis }> {
  const { config, log, closers, connect, ledger } = deps;
  const workerRedis = connect('worker');
  await checkEvictionPolicy(workerRedis, log);
  // The worker writes through a connection that waits out Redis outages, auto-pipelined (see
  // ConnectOptions for the one case it cannot wait out).
  const workerStoreRedis = connect('worker', { autoPipeline: true });
  const workerStore = deps.storeOn(workerStoreRedis);
  const maintenanceQueue = createPayoutQueue(workerRedis, config.queuePrefix);
  maintenanceQueue.on('error', () => undefined);
  const workerControls = deps.controlsOn(workerStoreRedis, maintenanceQueue);
  const ctx: WorkerWiring = { deps, workerRedis, workerStore, maintenanceQueue };
  const worker = payoutWorkerOf(ctx, workerControls);
  const maintenance = maintenanceOf(ctx);
  const notifier = notifierOf(ctx);
  // The ledger's writer and archiver close with the ledger (after the worker, so its last changes go).
  ledger?.startWorkers(workerStoreRedis);
  closers.unshift(async () => {
    // Stop taking jobs and wait for the ones in flight before anything else closes.
    await worker.close();
    await maintenance.close();
    await notifier?.close();
    await maintenanceQueue.close();
  });
  // Closed from here on whatever fails next: a start that fails must leave nothing running.
  void worker.run();
  await maintenance.start();
  notifier?.start();
  return { worker, storeConnection: workerStoreRedis };
}

/** What the worker part's pieces are made from: its deps and the worker-role connection, store and queue. */
interface WorkerWiring {
  deps: WorkerPartDeps;
  workerRedis: Redis;
  workerStore: PayoutStore;
  maintenanceQueue: Queue<PayoutJobData>;
}

function payoutWorkerOf(ctx: WorkerWiring, workerControls: { pauses: Pauses; breakers: Breakers }) {
  const { config, log, gateway, onContradiction } = ctx.deps;
  return createPayoutWorker({
    connection: ctx.workerRedis,
    queuePrefix: config.queuePrefix,
    store: ctx.workerStore,
    gateway,
    logger: log,
    policy: {
      maxAttempts: config.worker.maxAttempts,
      baseDelayMs: config.worker.retryBaseDelayMs,
      maxDelayMs: config.worker.retryMaxDelayMs,
      resendOnUnknown: config.gateway.resendOnUnknown,
    },
    concurrency: config.worker.concurrency,
    currencies: config.currencies,
    lockMs: config.worker.lockMs,
    rateLimitPerSecond: config.gateway.rateLimitPerSecond,
    onContradiction: onContradiction('payout'),
    sendWindowMs: payoutSendWindowMs({
      ...config.gateway,
      durabilityTimeoutMs: config.durability.timeoutMs,
    }),
    controls: {
      isPaused: workerControls.pauses.isPaused,
      attempted: workerControls.breakers.attempted,
    },
  });
}

function maintenanceOf(ctx: WorkerWiring) {
  const { config, log, gateway, onContradiction } = ctx.deps;
  return createMaintenance({
    connection: ctx.workerRedis,
    queuePrefix: config.queuePrefix,
    store: ctx.workerStore,
    payoutQueue: ctx.maintenanceQueue,
    logger: log,
    gateway,
    sweepEveryMs: 60_000,
    sweep: { queuedGraceMs: 30_000, sendingGraceMs: config.gateway.timeoutMs + 60_000 },
    reconcileEveryMs: config.reconcile.intervalMs,
    reconcile: { afterMs: config.reconcile.afterMs, reviewDeadlineMs: config.reconcile.reviewDeadlineMs },
    approvalTimeoutMs: config.approvalTimeoutMs,
    lockMs: config.worker.lockMs,
    onContradiction: onContradiction('payout'),
  });
}

/** The notifier, when NOTIFY_URL is set. */
function notifierOf(ctx: WorkerWiring) {
  const { config, log, metrics } = ctx.deps;
  return config.notify
    ? createNotifier({
        connection: ctx.workerRedis,
        queuePrefix: config.queuePrefix,
        store: ctx.workerStore,
        logger: log,
        url: config.notify.url,
        secret: config.notify.secret,
        lockMs: config.worker.lockMs,
        onDelivery: metrics.notification,
      })
    : undefined;
}
