import { outboxEntry } from '../worker/notifier.js';

/**
 * Operator events: a payment_system paused or resumed, its circuit breaker opened or closed. They go
 * to NOTIFY_URL beside the payout events, through the same outbox, relay and signed delivery
 * (worker/notifier.ts), as `{"event":"payment_system.<what>","at":…,"payment_system":…,…}`: they
 * carry no `payout`, so a receiver tells them apart by the event's name.
 */

export type ControlEventName =
  | 'payment_system.paused'
  | 'payment_system.resumed'
  | 'payment_system.breaker_opened'
  | 'payment_system.breaker_closed';

/** The outbox entry (JSON) of an operator event that happened at `at` (epoch ms). */
export const controlEvent = (event: ControlEventName, at: number, fields: Record<string, unknown>): string =>
  outboxEntry(JSON.stringify({ event, at: new Date(at).toISOString(), ...fields }));
