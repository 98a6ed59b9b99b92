import { deploymentKey } from './deployment.js';
import { PAYOUT_STATES, type PayoutState } from './states.js';

/**
 * Every Redis key of a deployment starts with its QUEUE_PREFIX, BullMQ's as well as the record's. On
 * a Redis Cluster the prefix is a hash tag (`{payouts}`, see config.ts), so one deployment's keys
 * share a slot and the Lua scripts may touch them together.
 *
 * The external_id, which may hold `:`, is always the last part of a key, after a kind of its own
 * (`payout:`, `payout-history:`, ...) that is never the start of another kind. So no external_id can
 * name another payout's key: with `${id}:history` as a suffix, a payout `X:history` would have
 * been payout X's history.
 */
export interface PayoutKeys {
  base: string;
  record(externalId: string): string;
  history(externalId: string): string;
  /** The sealed payment_data, apart from the record so the record stays small; gone at terminal. */
  payload(externalId: string): string;
  stateIndex(state: PayoutState): string;
  allStateIndexes(): string[];
  /** Status changes waiting to be turned into notifications, written in the same script as the change. */
  outbox: string;
  /**
   * Whether the deployment keeps notifications and a ledger, as its service processes published them
   * (deployment.ts): a hash the scripts find beside `outbox`, whose name they derive from it.
   */
  deployment: string;
  /** The approval rules and the limits (JSON arrays, see src/controls), read by the create script. */
  approvalRules: string;
  limits: string;
  /**
   * One customer's payouts in one currency over the last 24 hours, for the per-customer limits:
   * members `amount|external_id` scored by creation time; rejected and cancelled ones are removed.
   */
  customerWindow(currency: string, customerId: string): string;
  /** The external_ids a batch created or found (POST /v1/payout-batches), a set. */
  batch(batchId: string): string;
  /** Written before each WAIT of REDIS_DURABILITY=replicas:N, so the WAIT covers what was only read (durability.ts). */
  durabilityProbe: string;
  /** Changes (of payouts and deposits) waiting to be written to the ledger, written likewise. */
  ledgerOutbox: string;
  /**
   * The payouts a gateway report contradicted (sorted set, score: when the latest was raised), written
   * with the contradiction itself (scripts.ts NOTE), for the console's overview; the newest
   * CONTRADICTIONS_KEPT are kept.
   */
  contradictions: string;
  /** What is left of an archived payout: its request digest, so its external_id is never new again. */
  tombstone(externalId: string): string;
  /**
   * A deposit's record (src/deposits). Deposits and payouts share the gateway's external_id (the
   * merchant's order id): a payout's creation refuses an external_id that names a deposit, and a
   * deposit's an external_id that names a payout (or its tombstone), each in its own script.
   */
  deposit(externalId: string): string;
  /** A deposit's history (a list of JSON lines). */
  depositHistory(externalId: string): string;
  /**
   * What a claim consults before a payout is sent (src/controls writes them):
   * - `paused`: hash, payment_system (or `*`, every one) -> the pause as JSON;
   * - `held`: hash, external_id -> payment_system, of payouts a claim refused for a pause, which
   *   resuming wakes;
   * - `breakers`: hash of each payment_system's circuit breaker, fields `<field>:<payment_system>`:
   *   `state` (`open` | `half_open`; absent: closed), `until` (epoch ms: end of the cool-down, or of the
   *   probe's turn), `cooldown` (ms), `failures` and `window_start` (the run of attempts that reached no
   *   answer), `probe` (the external_id probing), `opened_at`.
   */
  controls: { paused: string; held: string; breakers: string };
}

/** How many contradicted payouts the contradictions index keeps, the newest. */
export const CONTRADICTIONS_KEPT = 1_000;

/** The customer windows' common start; the transition script builds a payout's window key from it. */
export const CUSTOMER_WINDOW = (base: string) => `${base}:customer-24h:`;

export function payoutKeys(queuePrefix: string): PayoutKeys {
  const base = queuePrefix;
  const stateIndex = (state: PayoutState) => `${base}:state:${state}`;
  return {
    base,
    record: (id) => `${base}:payout:${id}`,
    history: (id) => `${base}:payout-history:${id}`,
    payload: (id) => `${base}:payout-payload:${id}`,
    stateIndex,
    allStateIndexes: () => PAYOUT_STATES.map(stateIndex),
    outbox: `${base}:outbox`,
    deployment: deploymentKey(base),
    approvalRules: `${base}:controls:approval-rules`,
    limits: `${base}:controls:limits`,
    // The customer_id comes last, after a fixed-length currency: no customer can name another's key.
    customerWindow: (currency, customerId) => `${CUSTOMER_WINDOW(base)}${currency}:${customerId}`,
    durabilityProbe: `${base}:durability-probe`,
    batch: (batchId) => `${base}:batch:${batchId}`,
    ledgerOutbox: `${base}:ledger-outbox`,
    contradictions: `${base}:contradictions`,
    tombstone: (id) => `${base}:payout-tombstone:${id}`,
    deposit: (id) => `${base}:deposit:${id}`,
    depositHistory: (id) => `${base}:deposit-history:${id}`,
    controls: {
      paused: `${base}:controls:paused`,
      held: `${base}:controls:held`,
      breakers: `${base}:controls:breakers`,
    },
  };
}
