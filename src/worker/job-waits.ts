import { DelayedError, type Job } from 'bullmq';
import type { Hold } from '../payout/store.js';
import type { PayoutJobData } from '../queues.js';

/**
 * A payout held by a pause waits, parked, this long before its job looks again; resuming wakes it at
 * once, so this only bounds the wait should that wake-up be lost (a resume cut short).
 */
export const PAUSE_RECHECK_MS = 60_000;
/** While another payout probes a half-open breaker, the others look again this often. */
const PROBE_RECHECK_MS = 1_000;
/** Spreads the payouts a breaker held, so they do not all come back in the same millisecond. */
const HOLD_JITTER_MS = 500;

/** How a payout job waits without using one of BullMQ's attempts. */
export function createJobWaits(deps: {
  now: () => number;
  /** Whether a pause still covers a payment_system; undefined: no controls. */
  isPaused?: ((paymentSystem: string) => Promise<boolean>) | undefined;
}) {
  const { now } = deps;

  /** Waits a job until `at` without using one of BullMQ's attempts. */
  async function delayJob(job: Job<PayoutJobData>, token: string | undefined, at: number): Promise<never> {
    await job.moveToDelayed(at, token);
    throw new DelayedError();
  }

  /**
   * Waits a job that a pause or a breaker held, without using an attempt: a paused one is parked until
   * resuming wakes it; a breaker's waits for the end of the cool-down (or looks again soon, while
   * another payout probes).
   */
  async function waitHeld(job: Job<PayoutJobData>, token: string | undefined, hold: Hold): Promise<never> {
    if (hold.kind !== 'paused') {
      const at = hold.kind === 'breaker_open' ? hold.until : Math.min(hold.until, now() + PROBE_RECHECK_MS);
      return delayJob(job, token, at + Math.floor(Math.random() * HOLD_JITTER_MS));
    }
    await job.moveToDelayed(now() + PAUSE_RECHECK_MS, token);
    // A resume between the claim and the move found this job still running and could not wake it:
    // look once more, now that it is parked where a resume finds it.
    const stillPaused = await deps.isPaused?.(hold.paymentSystem).catch(() => true);
    if (stillPaused === false) await job.promote().catch(() => undefined);
    throw new DelayedError();
  }

  return { delayJob, waitHeld };
}
