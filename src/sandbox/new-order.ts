import type { GatewayStatusCode } from '../gateway/outcome.js';
import type { Logger } from '../logger.js';
import type { Direction, GatewayRequest, MethodId } from '../methods/index.js';
import { isFinal } from './answers.js';
import type { Scenario } from './markers.js';
import type { Entry, OrderBook, SandboxOrder } from './orders.js';

/**
 * A new order for a valid payout or deposit request: its first status and the answer the gateway
 * gives (and replays for a repeated external_id), as its scenario (markers.ts) asks.
 */
export function createOrder(
  book: OrderBook,
  logger: Logger | undefined,
  request: { entry: Entry; direction: Direction; method: MethodId; body: GatewayRequest; origin: string },
  scenario: Scenario,
): SandboxOrder {
  const { entry, direction, method, body, origin } = request;
  const orderId = book.nextOrderId();
  const type = direction === 'deposit' ? 1 : 2;
  const final = scenario.final;
  const status: GatewayStatusCode =
    scenario.answer === 'unknown'
      ? 7
      : scenario.answer === 'instant'
        ? final.status
        : direction === 'deposit'
          ? 3
          : 1;
  const reason =
    isFinal(status) && final.status !== 4 ? { reason_code: final.reason_code, reason: final.reason } : {};
  const answer: Record<string, unknown> = {
    ...(direction === 'deposit' ? { redirect: `${origin}/sandbox/pay/${orderId}` } : {}),
    status,
    type,
    external_id: body.external_id,
    order_id: orderId,
    ...reason,
    ...displayData(direction, method, body),
  };
  const order: SandboxOrder = {
    external_id: body.external_id,
    order_id: orderId,
    type,
    method,
    amount: body.amount,
    currency: body.currency,
    customer_id: body.customer.customer_id,
    status,
    ...reason,
    scenario,
    answer,
    created_at: new Date().toISOString(),
    callbacks: [],
  };
  book.add(entry, order);
  logger?.info(
    { external_id: order.external_id, order_id: orderId, status, method },
    'sandbox order created',
  );
  return order;
}

/**
 * The gateway's card payout answers echo the card in display_data, in full (SPEC.md). The sandbox
 * does the same, so that the client's masking is exercised; it never logs or shows it.
 */
function displayData(direction: Direction, method: MethodId, request: GatewayRequest) {
  const data = request.payment_data;
  if (direction !== 'payout' || !data) return {};
  if (method === 'bank_card' || method === 'p2p_card') {
    return {
      display_data: {
        card: data.card_number ?? '',
        card_holder: data.card_holder ?? '',
        bank_name: data.bank_name ?? 'Sandbox Bank',
      },
    };
  }
  return {};
}
