import type { GatewayStatusCode } from '../gateway/outcome.js';
import type { MethodId } from '../methods/index.js';
import type { CallbackDelivery } from './callbacks.js';
import type { Scenario } from './markers.js';

/**
 * What the sandbox received and created, per external_id: one order, or more under the `new-order`
 * marker (a gateway that does not deduplicate), and a count of every request that reached a handler
 * for it, whatever it was answered. Tests read it to assert that a payout was sent once.
 */

export interface SandboxOrder {
  external_id: string;
  order_id: string;
  /** 1 deposit, 2 payout. */
  type: 1 | 2;
  method: MethodId;
  amount: number;
  currency: string;
  customer_id: string;
  status: GatewayStatusCode;
  reason_code?: string | undefined;
  reason?: string | undefined;
  scenario: Scenario;
  /** The body of the answer that created the order; replayed for a repeated external_id. */
  answer: Record<string, unknown>;
  created_at: string;
  callbacks: CallbackDelivery[];
}

export interface Entry {
  external_id: string;
  /** Every payout/deposit request that reached a handler with this external_id (also 401, 422, 503). */
  requests: number;
  /** Orders created for it: 0 or 1, unless the `new-order` marker made the sandbox pay twice. */
  created: number;
  /** The HTTP status of each of those requests, in order; `dropped` when the connection was cut. */
  answers: (number | 'dropped')[];
  /** Requests refused by a `503xN`/`429xN` marker so far. */
  refusedByMarker: number;
  /** Status requests for its order. */
  statusRequests: number;
  /** Fingerprint (hash) of the first valid request's signed content; never the content itself. */
  fingerprint: string | undefined;
  /** False once a valid request for the external_id differed from the first. */
  sameBody: boolean;
  /** The first order. */
  order: SandboxOrder | undefined;
  /** Orders made after the first, by repeated requests under the `new-order` marker. */
  laterOrders?: SandboxOrder[] | undefined;
}

/** Every order of an entry, the first first. */
export const ordersOf = (entry: Entry): SandboxOrder[] =>
  entry.order ? [entry.order, ...(entry.laterOrders ?? [])] : [];

/** The read-only view of an entry (GET /sandbox/orders, `sandbox.received()`): no payment data. */
export interface SandboxRecord {
  external_id: string;
  requests: number;
  created: number;
  answers: (number | 'dropped')[];
  statusRequests: number;
  sameBody: boolean;
  /** Every order's id, the first first. */
  orderIds: string[];
  order:
    | {
        order_id: string;
        type: 1 | 2;
        method: MethodId;
        status: GatewayStatusCode;
        reason_code?: string | undefined;
        reason?: string | undefined;
        amount: number;
        currency: string;
        created_at: string;
        callbacks: CallbackDelivery[];
      }
    | undefined;
}

export class OrderBook {
  private readonly byExternalId = new Map<string, Entry>();
  private readonly byOrderId = new Map<string, { entry: Entry; order: SandboxOrder }>();
  private sequence = 0;

  entry(externalId: string): Entry {
    let entry = this.byExternalId.get(externalId);
    if (!entry) {
      entry = {
        external_id: externalId,
        requests: 0,
        created: 0,
        answers: [],
        refusedByMarker: 0,
        statusRequests: 0,
        fingerprint: undefined,
        sameBody: true,
        order: undefined,
      };
      this.byExternalId.set(externalId, entry);
    }
    return entry;
  }

  find(externalId: string): Entry | undefined {
    return this.byExternalId.get(externalId);
  }

  byOrder(orderId: string): { entry: Entry; order: SandboxOrder } | undefined {
    return this.byOrderId.get(orderId);
  }

  /** Files the order under its entry: its first, or another one (the `new-order` marker). */
  add(entry: Entry, order: SandboxOrder): void {
    if (entry.order) entry.laterOrders = [...(entry.laterOrders ?? []), order];
    else entry.order = order;
    entry.created += 1;
    this.byOrderId.set(order.order_id, { entry, order });
  }

  /** Puts back an entry kept from before a restart (order-store.ts). */
  restore(entry: Entry): void {
    this.byExternalId.set(entry.external_id, entry);
    for (const order of ordersOf(entry)) this.byOrderId.set(order.order_id, { entry, order });
  }

  /** A 30-digit id like the gateway's: milliseconds, a sequence and random digits. */
  nextOrderId(): string {
    this.sequence = (this.sequence + 1) % 1_000_000;
    const random = Math.floor(Math.random() * 1e11)
      .toString()
      .padStart(11, '0');
    return `${Date.now()}${String(this.sequence).padStart(6, '0')}${random}`.slice(0, 30).padEnd(30, '0');
  }

  view(entry: Entry): SandboxRecord {
    const o = entry.order;
    return structuredClone({
      external_id: entry.external_id,
      requests: entry.requests,
      created: entry.created,
      answers: entry.answers,
      statusRequests: entry.statusRequests,
      sameBody: entry.sameBody,
      orderIds: ordersOf(entry).map((order) => order.order_id),
      order: o && {
        order_id: o.order_id,
        type: o.type,
        method: o.method,
        status: o.status,
        ...(o.reason_code !== undefined ? { reason_code: o.reason_code, reason: o.reason } : {}),
        amount: o.amount,
        currency: o.currency,
        created_at: o.created_at,
        callbacks: o.callbacks,
      },
    });
  }

  all(): SandboxRecord[] {
    return [...this.byExternalId.values()].map((entry) => this.view(entry));
  }
}
