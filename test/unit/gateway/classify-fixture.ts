import type { Exchange, GatewayEndpoint } from '../../../src/gateway/classify.js';

/** What the classifier's unit tests share: a fixed clock, an order id, and the exchanges they classify. */

export const NOW = Date.parse('2026-03-01T12:00:00Z');
export const ORDER = '175042241278345064345373647881';

export const answered = (
  httpStatus: number,
  body?: unknown,
  extra: { retryAfter?: string; endpoint?: GatewayEndpoint } = {},
): Exchange => ({
  kind: 'answered',
  endpoint: extra.endpoint ?? 'payout',
  httpStatus,
  retryAfter: extra.retryAfter,
  body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  receivedAt: NOW,
});
export const cutOff = (httpStatus: number, bodyError: string): Exchange => ({
  kind: 'answered',
  endpoint: 'payout',
  httpStatus,
  body: undefined,
  bodyError,
  receivedAt: NOW,
});
export const noAnswer = (code: string, mayHaveArrived: boolean): Exchange => ({
  kind: 'no_answer',
  endpoint: 'payout',
  mayHaveArrived,
  code,
});
export const order = (status: unknown, more: Record<string, unknown> = {}) => ({
  status,
  type: 2,
  external_id: 'po-1',
  order_id: ORDER,
  ...more,
});
