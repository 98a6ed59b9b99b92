import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Currencies } from '../currency/index.js';
import type { GatewayOutcome } from '../gateway/outcome.js';
import type { Logger } from '../logger.js';
import { type GatewayRequest, validatePayoutRequest } from '../methods/index.js';
import { SealError } from '../payout/sealing.js';
import type { ClaimResult, PayoutStore } from '../payout/store.js';
import {
  CRASH_ATTEMPTS,
  CRASH_BACKOFF,
  crashRetryDelay,
  type PayoutJobData,
  payoutKeepJobs,
  QUEUE,
} from '../queues.js';
import { isRedisUnavailable } from '../redis.js';
import { createDecisionApplier } from './apply-decision.js';
import { createClaimTokens } from './claim-tokens.js';
import { createJobWaits } from './job-waits.js';

export { PAUSE_RECHECK_MS } from './job-waits.js';

import { type BreakerSignal, backoffDelay, decide, type RetryPolicy } from './decide.js';

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

/** A retry_scheduled payout whose job fires this much early is sent anyway: clocks differ a little. */
const EARLY_TOLERANCE_MS = 50;

/** Room beyond the timeouts for the holder's own work: validating, classifying, writing the answer. */
const SEND_WINDOW_MARGIN_MS = 2_000;

/**
 * The longest a live holder keeps a payout `sending`: the wait for its claim to be durable, the
 * gateway request's connect and read timeouts, and a margin. Past it, a holder that has not written
 * an answer is taken for lost.
 */
export const payoutSendWindowMs = (opts: {
  connectTimeoutMs: number;
  timeoutMs: number;
  durabilityTimeoutMs: number;
}): number => opts.durabilityTimeoutMs + opts.connectTimeoutMs + opts.timeoutMs + SEND_WINDOW_MARGIN_MS;

/**
 * The payout worker: claim, validate, send, decide, record. Its parts: job-waits.ts (waiting without
 * an attempt), apply-decision.ts (writing what the answer decided), record-answer.ts (that write
 * across a lost connection), decide.ts (the retry policy).
 */
export function createPayoutWorker(deps: PayoutWorkerDeps): Worker<PayoutJobData> {
  const { store, logger } = deps;
  const now = deps.now ?? Date.now;
  const sendWindowMs =
    deps.sendWindowMs ??
    payoutSendWindowMs({ connectTimeoutMs: 5_000, timeoutMs: 30_000, durabilityTimeoutMs: 1_000 });

  const claimTokens = createClaimTokens();
  const { delayJob, waitHeld } = createJobWaits({
    now,
    isPaused: deps.controls && ((paymentSystem) => deps.controls!.isPaused(paymentSystem)),
  });
  const apply = createDecisionApplier(deps, delayJob);

  /** Claims a payout under this worker's token for it (see claim-tokens.ts). */
  async function claimPayout(externalId: string): Promise<ClaimResult> {
    const token = claimTokens.next(externalId);
    try {
      return await store.claim(externalId, now() + EARLY_TOLERANCE_MS, token);
    } catch (err) {
      // Only a lost connection leaves the answer unknown; any other error came with an answer.
      if (isRedisUnavailable(err)) claimTokens.unanswered(externalId, token);
      throw err;
    }
  }

  async function processPayout(job: Job<PayoutJobData>, bullToken?: string): Promise<string> {
    const externalId = job.data.externalId;
    // One script checks the state (and, for a retry, that it is due, and that neither a pause nor a
    // breaker holds it), moves it to sending under this worker's token, and returns the record: only
    // the holder of that token sends.
    // Nothing is sent on a claim a fail-over could lose (REDIS_DURABILITY): another worker would
    // find the payout queued again and send it a second time.
    const { result: claim, durable } = await store.durability.durably(() => claimPayout(externalId));
    if (!claim.ok) {
      if (claim.hold) return waitHeld(job, bullToken, claim.hold);
      switch (claim.current) {
        case undefined:
          logger.error(
            { external_id: externalId, job_id: job.id },
            'payout job without a payout record; nothing sent',
          );
          return 'no_record';
        case 'sending': {
          // A second delivery of a job whose holder stopped (or lost its lock) mid-send. Nothing is
          // sent under another's claim. While the holder may still be waiting on the gateway, wait
          // for it: its answer (not sent, 429, a refusal, an order) is certain where ours is not.
          const windowEnds = claim.since !== undefined ? claim.since + sendWindowMs : undefined;
          if (windowEnds !== undefined && now() < windowEnds) {
            logger.info(
              { external_id: externalId, job_id: job.id, wait_ms: windowEnds - now() },
              "a second delivery found the payout sending under a young claim: waiting for its holder's answer",
            );
            return delayJob(job, bullToken, windowEnds);
          }
          // The holder is gone: whether its request reached the gateway is unknown, so a person or
          // the gateway decides.
          await store.transition(externalId, 'review', {
            actor: 'worker',
            token: claim.heldBy ?? '',
            reason: 'worker_lost_mid_send: outcome unknown',
          });
          return 'review_after_redelivery';
        }
        case 'retry_scheduled':
          // Not due yet (a job that fired early, or a payout rescheduled since): wait, without an attempt.
          if (claim.nextAttemptAt !== undefined) return delayJob(job, bullToken, claim.nextAttemptAt);
          // Not reachable by the script's rules; failing keeps the job, which BullMQ tries again.
          throw new Error('claim of a retry_scheduled payout refused without a due time');
        case 'queued':
          // A scheduled payout (not_before) whose job fired early, or was re-added by the sweep: wait.
          if (claim.nextAttemptAt !== undefined) return delayJob(job, bullToken, claim.nextAttemptAt);
          return `skipped_${claim.current}`;
        default:
          return `skipped_${claim.current}`;
      }
    }
    const { record, token, attempts: attempt } = claim;
    if (!durable) return giveBack(job, bullToken, externalId, token);
    if (claim.probe) {
      logger.info(
        { external_id: externalId, payment_system: record.paymentSystem },
        `circuit breaker of ${record.paymentSystem}: this payout probes the gateway`,
      );
    }

    let request: GatewayRequest;
    try {
      request = store.gatewayRequest(record);
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      // Nothing was sent; the payload key is missing or wrong. An operator fixes the key and resends.
      await store.transition(externalId, 'review', {
        actor: 'worker',
        token,
        reason: `payload_unreadable: ${err.message}`,
      });
      return 'payload_unreadable';
    }
    const valid = validatePayoutRequest({ method: record.method, ...request }, deps.currencies);
    if (!valid.ok) {
      const paths = valid.issues.map((i) => i.path).join(', ');
      // Refusing it now says nothing of an earlier attempt that may have created the payout.
      const event = record.mayHaveReached ? 'review' : 'reject';
      await store.transition(externalId, event, {
        actor: 'worker',
        token,
        reason: `validation_failed: ${paths}`,
      });
      return `${event}_invalid`;
    }

    const started = performance.now();
    const outcome = await deps.gateway.payout(valid.request);
    const durationMs = performance.now() - started;
    const decision = decide(outcome, attempt, deps.policy, now(), {
      earlierMayHaveReached: record.mayHaveReached,
    });
    try {
      return await apply(job, bullToken, externalId, token, decision, durationMs);
    } finally {
      // After the payout's own answer is written (a retry's delay included): the breaker is the
      // system's health, never a reason to lose what this attempt learnt.
      await deps.controls?.attempted(record.paymentSystem, decision.breaker, externalId).catch((err) => {
        logger.warn({ external_id: externalId, err }, 'circuit breaker: this attempt could not be counted');
      });
    }
  }

  /**
   * A claim not confirmed durable in time: nothing was sent under it, so it is given back
   * (`retry_scheduled`, its attempt not counted) and the job waits, without a BullMQ attempt.
   */
  async function giveBack(
    job: Job<PayoutJobData>,
    bullToken: string | undefined,
    externalId: string,
    token: string,
  ): Promise<string> {
    const at = now() + backoffDelay(deps.policy, 1);
    const reason = 'durability_not_confirmed: the claim was not confirmed durable in time; nothing sent';
    let res: Awaited<ReturnType<PayoutStore['transition']>>;
    try {
      res = await store.transition(externalId, 'give_back', {
        actor: 'worker',
        token,
        reason,
        nextAttemptAt: at,
      });
    } catch (err) {
      // Unanswered: the job's next try in this process takes the claim back as its own (unsent).
      if (isRedisUnavailable(err)) claimTokens.unanswered(externalId, token);
      throw err;
    }
    logger.warn(
      { external_id: externalId, given_back: res.ok, current: res.ok ? res.to : res.current },
      'payout claim not confirmed durable in time (REDIS_DURABILITY): nothing sent, trying again later',
    );
    // Refused when the claim itself was lost (a fail-over: the payout is queued again) or the gateway's
    // word moved it meanwhile: the job waits all the same, and its next claim checks the state.
    if (!res.ok && res.current === undefined) return 'give_back_no_record';
    return delayJob(job, bullToken, at);
  }

  /**
   * A processor that throws has crashed before it could decide (a wait throws DelayedError, which
   * BullMQ tells apart): BullMQ tries the job again with the crash policy, which the job is given
   * here rather than carrying it in its options (queues.ts). A job added before carries its own.
   */
  async function processOrRetry(job: Job<PayoutJobData>, bullToken?: string): Promise<string> {
    try {
      return await processPayout(job, bullToken);
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
  worker.on('error', (err) => logger.error({ err }, 'payout worker error'));
  return worker;
}
