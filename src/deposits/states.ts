import { type GatewayStatusCode, type StatusMeaning, statusMeaning } from '../gateway/outcome.js';

/** A deposit's states, and the only moves between them. */

export const DEPOSIT_STATES = [
  'sending',
  'not_sent',
  'submitted',
  'succeeded',
  'failed',
  'rejected',
  'unknown',
] as const;
export type DepositState = (typeof DEPOSIT_STATES)[number];

/** The deposit's own transition table: state it moves to <- states it may come from ('' = new). */
export const DEPOSIT_TRANSITIONS: Record<DepositState, readonly (DepositState | '')[]> = {
  sending: ['', 'not_sent'],
  not_sent: ['sending'],
  rejected: ['sending'],
  submitted: ['sending', 'unknown'],
  succeeded: ['sending', 'submitted', 'unknown'],
  failed: ['sending', 'submitted', 'unknown'],
  unknown: ['sending', 'submitted'],
};

const DEPOSIT_STATE_FOR: Record<StatusMeaning, DepositState> = {
  pending: 'submitted',
  success: 'succeeded',
  failure: 'failed',
  unknown: 'unknown',
};

/** The state a gateway status code puts a deposit in (the one classification in gateway/outcome.ts). */
export const depositStateFor = (status: GatewayStatusCode): DepositState =>
  DEPOSIT_STATE_FOR[statusMeaning(status)];
