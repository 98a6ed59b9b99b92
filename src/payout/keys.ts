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
}

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
  };
}
