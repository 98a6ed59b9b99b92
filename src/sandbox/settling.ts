import type { Logger } from '../logger.js';
import { isFinal } from './answers.js';
import { type FinalCallbackDeps, sendFinalCallback } from './final-callback.js';
import type { SandboxOrderStore } from './order-store.js';
import { type OrderBook, ordersOf, type SandboxOrder } from './orders.js';
import type { Timers } from './timers.js';

/**
 * How an order ends: a pending one settles to its scenario's final status when due, and its final
 * callback goes out (then the scenario's duplicate and stale ones, final-callback.ts); after a
 * restart, the kept orders pick up where they were.
 */

/** A pending order becomes final this long after creation, times timeScale. */
export const SETTLE_DELAY_MS = 10_000;

export interface SettlingDeps extends FinalCallbackDeps {
  book: OrderBook;
  timers: Timers;
  /** Time from creation to the final status, timeScale applied. */
  settleDelayMs: number;
  logger: Logger | undefined;
}

export function createSettling(deps: SettlingDeps) {
  return {
    settle: (order: SandboxOrder, override?: SandboxOrder['scenario']['final']) =>
      settle(deps, order, override),
    schedule: (order: SandboxOrder) => schedule(deps, order),
    early: (order: SandboxOrder) => early(deps, order),
    restore: (store: SandboxOrderStore) => restore(deps, store),
  };
}

export type Settling = ReturnType<typeof createSettling>;

/** Moves a pending order to its scenario's final status (or `override`) and sends the callback. */
function settle(deps: SettlingDeps, order: SandboxOrder, override?: SandboxOrder['scenario']['final']) {
  if (isFinal(order.status)) return Promise.resolve();
  const final = override ?? order.scenario.final;
  order.status = final.status;
  if (final.status !== 4) {
    order.reason_code = final.reason_code;
    order.reason = final.reason;
  }
  deps.logger?.info({ external_id: order.external_id, status: order.status }, 'sandbox order settled');
  return deps.keep(order.external_id).then(() => sendFinalCallback(deps, order));
}

/** After a new order is answered: its callback now, or its settling when due. */
function schedule(deps: SettlingDeps, order: SandboxOrder) {
  if (isFinal(order.status)) deps.timers.later(0, () => void sendFinalCallback(deps, order));
  else deps.timers.later(order.scenario.settleDelayMs ?? deps.settleDelayMs, () => void settle(deps, order));
}

/** The `early` marker: the first callback (or the settling) before the answer. */
const early = (deps: SettlingDeps, order: SandboxOrder) =>
  isFinal(order.status) ? sendFinalCallback(deps, order) : settle(deps, order);

/** After a restart: the kept orders are known again, pending ones settle when due, unacknowledged callbacks go again. */
async function restore(deps: SettlingDeps, store: SandboxOrderStore) {
  const { book, timers } = deps;
  const now = Date.now();
  for (const entry of await store.load(now)) {
    book.restore(entry);
    for (const order of ordersOf(entry)) {
      if (!isFinal(order.status)) {
        const due = Date.parse(order.created_at) + (order.scenario.settleDelayMs ?? deps.settleDelayMs);
        timers.later(Math.max(0, due - now), () => void settle(deps, order));
      } else if (!order.callbacks.some((c) => c.acknowledged && c.status === order.status)) {
        timers.later(0, () => void sendFinalCallback(deps, order));
      }
    }
  }
}
