import type { GatewayRequest } from '../methods/index.js';

/**
 * The fields in which a request differs from the one first accepted under its external_id, by name
 * only: a 409 must tell the client what to look at without echoing a card number back.
 */

/** What a payout request is compared on: its method, the gateway request and our own fields. */
export interface ComparableRequest {
  method: string;
  request: GatewayRequest;
  notBefore?: string | undefined;
}

/** Dotted paths to leaf values (`customer.country`, `payment_data.card_number`). */
function flatten(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else if (value !== undefined) {
    out.set(prefix, value);
  }
  return out;
}

function leaves(r: ComparableRequest, withPaymentData: boolean): Map<string, unknown> {
  const { payment_data, ...main } = r.request;
  const out = flatten({ method: r.method, ...main, not_before: r.notBefore }, '', new Map());
  return withPaymentData ? flatten({ payment_data: payment_data ?? {} }, '', out) : out;
}

/**
 * `accepted.request.payment_data` is undefined once the payout is terminal (the sealed payload is
 * deleted then) or when it cannot be opened: payment_data is then named as a whole when nothing else
 * differs, since the digests say something does.
 */
export function requestDifferences(
  accepted: ComparableRequest & { paymentDataKnown: boolean },
  sent: ComparableRequest,
): string[] {
  const a = leaves(accepted, accepted.paymentDataKnown);
  const b = leaves(sent, accepted.paymentDataKnown);
  const names = new Set([...a.keys(), ...b.keys()]);
  const differ = [...names].filter((name) => a.get(name) !== b.get(name)).sort();
  if (differ.length === 0) return ['payment_data'];
  return differ;
}
