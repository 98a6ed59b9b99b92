import type { Job } from 'bullmq';
import type { Logger } from '../logger.js';
import type { PayoutStore } from '../payout/store.js';
import type { PayoutJobData } from '../queues.js';
import type { createDecisionApplier } from './apply-decision.js';
import type { createClaimTokens } from './claim-tokens.js';
import type { createJobWaits } from './job-waits.js';
import type { PayoutWorkerDeps } from './payout-worker.js';

/** What each payout job's processing shares within one worker (payout-worker.ts builds it). */
export interface WorkerContext {
  deps: PayoutWorkerDeps;
  store: PayoutStore;
  logger: Logger;
  now: () => number;
  /** How long a `sending` claim's holder may still be waiting on the gateway (payoutSendWindowMs). */
  sendWindowMs: number;
  claimTokens: ReturnType<typeof createClaimTokens>;
  delayJob: ReturnType<typeof createJobWaits>['delayJob'];
  waitHeld: ReturnType<typeof createJobWaits>['waitHeld'];
  apply: ReturnType<typeof createDecisionApplier>;
}

export type PayoutJob = Job<PayoutJobData>;
