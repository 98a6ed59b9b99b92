import type { GatewayStatusCode } from '../gateway/outcome.js';
import type { Logger } from '../logger.js';
import { isFinal } from './answers.js';
import type { CallbackPayload, createCallbackSender } from './callbacks.js';
import type { SandboxOrderStore } from './order-store.js';
import { type OrderBook, ordersOf, type SandboxOrder } from './orders.js';
import type { Timers } from './timers.js';

/**
 * How an order ends: a pending one settles to its scenario's final status when due, and its final
 * callback goes out (then the scenario's duplicate and stale ones); after a restart, the kept orders
 * pick up where they were.
 */
export function createSettling(deps: {
  book: OrderBook;
  callbacks: ReturnType<typeof createCallbackSender>;
  timers: Timers;
  /** Writes the order's entry to the order store, if any. */
  keep: (externalId: string) => Promise<void>;
  /** Time from creation to the final status, timeScale applied. */
  settleDelayMs: number;
  logger: Logger | undefined;
}) {
  const { book, callbacks, timers, keep, logger } = deps;

  /** The fields of the callback for the order's current status. */
  const callbackPayload = (
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
  function sendFinalCallback(order: SandboxOrder) {
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

  /** Moves a pending order to its scenario's final status (or `override`) and sends the callback. */
  function settle(order: SandboxOrder, override?: SandboxOrder['scenario']['final']) {
    if (isFinal(order.status)) return Promise.resolve();
    const final = override ?? order.scenario.final;
    order.status = final.status;
    if (final.status !== 4) {
      order.reason_code = final.reason_code;
      order.reason = final.reason;
    }
    logger?.info({ external_id: order.external_id, status: order.status }, 'sandbox order settled');
    return keep(order.external_id).then(() => sendFinalCallback(order));
  }

  /** After a new order is answered: its callback now, or its settling when due. */
  function schedule(order: SandboxOrder) {
    if (isFinal(order.status)) timers.later(0, () => void sendFinalCallback(order));
    else timers.later(order.scenario.settleDelayMs ?? deps.settleDelayMs, () => void settle(order));
  }

  /** The `early` marker: the first callback (or the settling) before the answer. */
  const early = (order: SandboxOrder) => (isFinal(order.status) ? sendFinalCallback(order) : settle(order));

  /** After a restart: the kept orders are known again, pending ones settle when due, unacknowledged callbacks go again. */
  async function restore(store: SandboxOrderStore) {
    const now = Date.now();
    for (const entry of await store.load(now)) {
      book.restore(entry);
      for (const order of ordersOf(entry)) {
        if (!isFinal(order.status)) {
          const due = Date.parse(order.created_at) + (order.scenario.settleDelayMs ?? deps.settleDelayMs);
          timers.later(Math.max(0, due - now), () => void settle(order));
        } else if (!order.callbacks.some((c) => c.acknowledged && c.status === order.status)) {
          timers.later(0, () => void sendFinalCallback(order));
        }
      }
    }
  }

  return { settle, schedule, early, restore };
}

export type Settling = ReturnType<typeof createSettling>;
