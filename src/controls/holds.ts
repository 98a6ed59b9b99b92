import type { PayoutHold } from '../producer/view.js';
import type { Breakers } from './breakers.js';
import type { Pauses } from './pauses.js';

/**
 * What holds a payment_system's waiting payouts now, for the payout's view (API and `payouts status`):
 * a pause first (it holds whatever the breaker says), then an open or half-open breaker.
 */
export function createHoldReader(controls: { pauses: Pauses; breakers: Breakers }) {
  return async (paymentSystem: string): Promise<PayoutHold | undefined> => {
    const [pause, breaker] = await Promise.all([
      controls.pauses.pauseOf(paymentSystem),
      controls.breakers.of(paymentSystem),
    ]);
    if (pause) {
      return {
        reason: 'paused',
        payment_system: pause.payment_system,
        since: pause.since,
        until: null,
        by: pause.by,
        ...(pause.note ? { note: pause.note } : {}),
      };
    }
    if (breaker.state === 'closed') return undefined;
    return {
      reason: breaker.state === 'open' ? 'breaker_open' : 'breaker_half_open',
      payment_system: paymentSystem,
      since: breaker.opened_at,
      until: breaker.until,
    };
  };
}
