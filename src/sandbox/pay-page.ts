import { type Currencies, showAmount } from '../currency/index.js';

/**
 * The page a deposit's `redirect` points to: what the player would see at the payment provider.
 * Two buttons settle the deposit at once; left alone it settles by its scenario like any order.
 */

export interface PayPageOrder {
  order_id: string;
  external_id: string;
  amount: number;
  currency: string;
  status: number;
}

const STATUS_NAMES: Readonly<Record<number, string>> = {
  1: 'INITIAL',
  2: 'AWAITING_CONFIRMATION',
  3: 'PROCESSING',
  4: 'SUCCESS',
  5: 'DECLINE',
  6: 'ERROR',
  7: 'UNKNOWN',
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderPayPage(order: PayPageOrder, currencies?: Currencies): string {
  const pending = order.status <= 3 || order.status === 7;
  const id = encodeURIComponent(order.order_id);
  const buttons = pending
    ? `<form method="post" action="/sandbox/pay/${id}">
  <button name="decision" value="approve">Pay</button>
  <button name="decision" value="decline">Decline</button>
</form>`
    : '<p>This deposit is settled.</p>';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Cabbagino sandbox payment</title></head>
<body>
<h1>Sandbox payment</h1>
<p>Deposit <code>${escapeHtml(order.external_id)}</code> (order <code>${escapeHtml(order.order_id)}</code>):
${escapeHtml(showAmount(order.amount, order.currency, currencies))}.</p>
<p>Status: <strong>${escapeHtml(STATUS_NAMES[order.status] ?? String(order.status))}</strong></p>
${buttons}
</body>
</html>
`;
}
