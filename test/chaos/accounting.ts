import { type AccountInput, newTally, notificationsOf, resultsOf, tallyPayout } from './payout-tally.js';
import type { ChaosReport } from './types.js';

export { evaluate } from './invariants.js';
export { warnings } from './log-warnings.js';
export { PENDING, stateSnapshot } from './state-snapshot.js';

/**
 * The chaos run's accounting: the states in Redis while it drains (state-snapshot.ts), then every
 * payout against what the gateway (the sandbox) holds and what the notification receiver got
 * (payout-tally.ts), and the invariants (invariants.ts).
 */

export interface SubmitResult {
  accepted: boolean;
  /** The HTTP status of every POST for the payout (0: a network error). */
  answers: number[];
  /** When each of those answers came (epoch ms). */
  answeredAt: number[];
}

export function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

export function account(input: AccountInput): {
  results: ChaosReport['results'];
  notifications: Omit<ChaosReport['notifications'], 'outboxMax'>;
} {
  const tally = newTally();
  for (const p of input.plan) tallyPayout(tally, p, input);
  return { results: resultsOf(tally, input), notifications: notificationsOf(tally, input.receiver) };
}
