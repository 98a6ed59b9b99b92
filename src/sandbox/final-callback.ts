import type { GatewayStatusCode } from '../gateway/outcome.js';
import type { CallbackPayload, CallbackSender } from './callbacks.js';
import type { SandboxOrder } from './orders.js';

/**
 * An order's final callback, and once the merchant acknowledged it, the duplicate and the stale one
 * its scenario asks for.
 */

export interface FinalCallbackDeps {
  callbacks: CallbackSender;
  /** Writes the order's entry to the order store, if any. */
  keep: (externalId: string) => Promise<void>;
}

/** The fields of the callback for the order's current status. */
export const callbackPayload = (
  order: SandboxOrder,
  status: GatewayStatusCode = order.status,
): CallbackPayload => ({
  status,
  type: order.type,
  external_id: order.external_id,
  order_id: order.order_id,
  amount: order.amount,
  currency: order.currency,
  customer_id: order.customer_id,
  ...(status === order.status && order.reason_code !== undefined
    ? { reason_code: order.reason_code, reason: order.reason }
    : {}),
});

/** Sends the final callback, then the scenario's duplicate and stale ones once it is acknowledged. */
export function sendFinalCallback(deps: FinalCallbackDeps, order: SandboxOrder): Promise<void> {
  const { callbacks, keep } = deps;
  const { callbacks: wanted } = order.scenario;
  if (wanted.withheld) return Promise.resolve();
  const final = callbacks.deliver(callbackPayload(order), order.callbacks);
  void final.acknowledged.then((ok) => {
    if (!ok) return;
    void keep(order.external_id);
    if (wanted.duplicate) callbacks.deliver(callbackPayload(order), order.callbacks);
    if (wanted.stale) callbacks.deliver(callbackPayload(order, 3), order.callbacks);
  });
  return final.firstAttempt;
}
