import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Currencies } from '../currency/index.js';
import type { GatewayOutcome } from '../gateway/outcome.js';
import type { Logger } from '../logger.js';
import type { GatewayRequest } from '../methods/index.js';
import type { PayoutStore } from '../payout/store.js';
import {
  CRASH_ATTEMPTS,
  CRASH_BACKOFF,
  crashRetryDelay,
  type PayoutJobData,
  payoutKeepJobs,
  QUEUE,
} from '../queues.js';
import { createDecisionApplier } from './apply-decision.js';
import { createClaimTokens } from './claim-tokens.js';
import { createJobWaits } from './job-waits.js';
import { processPayout } from './payout-job.js';
import { RECORD_RETRY_BUDGET_MS } from './record-answer.js';
import type { WorkerContext } from './worker-context.js';

export { PAUSE_RECHECK_MS } from './job-waits.js';

import type { BreakerSignal, RetryPolicy } from './decide.js';
import { logWorkerErrors } from './worker-errors.js';

/** What the worker needs of the gateway client. */
export interface PayoutSender {
  payout(request: GatewayRequest): Promise<GatewayOutcome>;
}

/** The operator controls a send obeys (src/controls; the claim itself consults their state in Redis). */
export interface SendControls {
  /** A pause still covers the payment_system (its own, or every system's). */
  isPaused(paymentSystem: string): Promise<boolean>;
  /** Counts one attempt's signal to its payment_system's circuit breaker. */
  attempted(paymentSystem: string, signal: BreakerSignal, externalId: string): Promise<void>;
}

export interface PayoutWorkerDeps {
  /** A worker-role connection (`maxRetriesPerRequest: null`). */
  connection: Redis;
  queuePrefix: string;
  store: PayoutStore;
  gateway: PayoutSender;
  logger: Logger;
  policy: RetryPolicy;
  concurrency: number;
  /** Lock duration; a job whose worker died is delivered again once its lock has expired. */
  lockMs?: number;
  /** Gateway requests per second, across every worker of the deployment. */
  rateLimitPerSecond: number;
  onContradiction?: (externalId: string) => void;
  /**
   * The deployment's currency rules, applied again before each send: a payout whose currency lost its
   * confirmed unit or left PAYOUT_CURRENCIES since it was accepted is not sent. @defaultValue the rules of unset settings
   */
  currencies?: Currencies;
  /**
   * How long a holder may keep a payout `sending` while it is alive (payoutSendWindowMs): a second
   * delivery that finds a younger claim waits this long after it before calling the outcome unknown.
   * @defaultValue payoutSendWindowMs of the default timeouts
   */
  sendWindowMs?: number;
  controls?: SendControls;
  now?: () => number;
}

/** Room beyond the timeouts for the holder's own work: validating, classifying, writing the answer. */
const SEND_WINDOW_MARGIN_MS = 2_000;

/**
 * How long a live holder may keep a payout `sending`: the wait for its claim to be durable, the
 * gateway request's connect and read timeouts, a margin, and the pauses between its tries at writing
 * the answer while Redis refuses it (record-answer.ts; a fail-over's READONLY). Past it, a holder that
 * has not written an answer is taken for lost. (A write that waits on a lost connection can take
 * longer, but then no second delivery can claim the payout either.)
 */
export const payoutSendWindowMs = (opts: {
  connectTimeoutMs: number;
  timeoutMs: number;
  durabilityTimeoutMs: number;
}): number =>
  opts.durabilityTimeoutMs +
  opts.connectTimeoutMs +
  opts.timeoutMs +
  SEND_WINDOW_MARGIN_MS +
  RECORD_RETRY_BUDGET_MS;

/**
 * The payout worker: claim, validate, send, decide, record (payout-job.ts). Its parts: job-waits.ts
 * (waiting without an attempt), claim-refused.ts (a claim the record refused), give-back.ts (a claim
 * not durable in time), apply-decision.ts (writing what the answer decided), record-answer.ts (that
 * write across a lost connection), decide.ts (the retry policy).
 */
export function createPayoutWorker(deps: PayoutWorkerDeps): Worker<PayoutJobData> {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const { delayJob, waitHeld } = createJobWaits({
    now,
    isPaused: deps.controls && ((paymentSystem) => deps.controls!.isPaused(paymentSystem)),
  });
  const ctx: WorkerContext = {
    deps,
    store: deps.store,
    logger,
    now,
    sendWindowMs:
      deps.sendWindowMs ??
      payoutSendWindowMs({ connectTimeoutMs: 5_000, timeoutMs: 30_000, durabilityTimeoutMs: 1_000 }),
    claimTokens: createClaimTokens(),
    delayJob,
    waitHeld,
    apply: createDecisionApplier(deps, delayJob),
  };

  /**
   * A processor that throws has crashed before it could decide (a wait throws DelayedError, which
   * BullMQ tells apart): BullMQ tries the job again with the crash policy, which the job is given
   * here rather than carrying it in its options (queues.ts). A job added before carries its own.
   */
  async function processOrRetry(job: Job<PayoutJobData>, bullToken?: string): Promise<string> {
    try {
      return await processPayout(ctx, job, bullToken);
    } catch (err) {
      // BullMQ writes a job without attempts of its own as `attempts: 0`.
      if (!job.opts.attempts) job.opts.attempts = CRASH_ATTEMPTS;
      job.opts.backoff ??= { ...CRASH_BACKOFF };
      throw err;
    }
  }

  const worker = new Worker<PayoutJobData>(QUEUE.payouts, processOrRetry, {
    connection: deps.connection,
    prefix: deps.queuePrefix,
    concurrency: deps.concurrency,
    limiter: { max: deps.rateLimitPerSecond, duration: 1_000 },
    // A redelivered job never sends under another processing's claim (it moves the record to
    // needs_review, or takes back an unanswered claim of this worker's own), so stalls may repeat safely.
    maxStalledCount: 100,
    ...payoutKeepJobs,
    settings: { backoffStrategy: crashRetryDelay },
    ...(deps.lockMs ? { lockDuration: deps.lockMs, stalledInterval: deps.lockMs } : {}),
    autorun: false,
  });
  worker.on('failed', (job, err) => {
    logger.error({ external_id: job?.data.externalId, job_id: job?.id, err }, 'payout job failed');
  });
  worker.on('error', logWorkerErrors(logger, 'payout'));
  return worker;
}
