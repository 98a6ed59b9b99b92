import { PAYOUT_STATES, type PayoutState } from './states.js';

/**
 * Every Redis key of a deployment starts with its QUEUE_PREFIX wrapped in a hash tag (`{payouts}`),
 * so one deployment's keys share a Redis Cluster slot and the Lua scripts may touch them together.
 */
export const keyBase = (queuePrefix: string): string =>
  queuePrefix.includes('{') ? queuePrefix : `{${queuePrefix}}`;

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
  const base = keyBase(queuePrefix);
  const stateIndex = (state: PayoutState) => `${base}:state:${state}`;
  return {
    base,
    record: (id) => `${base}:payout:${id}`,
    history: (id) => `${base}:payout:${id}:history`,
    payload: (id) => `${base}:payout:${id}:payload`,
    stateIndex,
    allStateIndexes: () => PAYOUT_STATES.map(stateIndex),
    outbox: `${base}:outbox`,
  };
}
