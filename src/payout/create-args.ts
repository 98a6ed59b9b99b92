import type { GatewayRequest, MethodId } from '../methods/index.js';
import { entryTail } from './history.js';
import { MASKED } from './record.js';
import type { StoreContext } from './store-types.js';

/** The per-customer limits count what one customer was paid over this rolling window. */
export const CUSTOMER_WINDOW_MS = 24 * 3_600_000;

/** What a new payout is created from. */
export interface CreateInput {
  method: MethodId;
  request: GatewayRequest;
  masked: Record<string, string>;
  /** Normalized ISO time: a scheduled payout (see PayoutRecord.notBefore). */
  notBefore?: string | undefined;
}

/** A create as it is written: the input, when, its request's digest and its sealed payment data. */
export interface CreateWrite {
  input: CreateInput;
  at: number;
  digest: string;
  sealed: string | undefined;
}

/** The CREATE script's keys: the first this many of its arguments. */
export const CREATE_KEYS = 12;

/** The CREATE script's keys then arguments, in the order the script reads them. */
export function createArgs(ctx: StoreContext, write: CreateWrite): string[] {
  const { keys, outboxes } = ctx;
  const { input, at, digest, sealed } = write;
  const { method, request, masked, notBefore } = input;
  const id = request.external_id;
  const amount = String(request.amount);
  const args = [
    keys.record(id),
    keys.history(id),
    keys.stateIndex('queued'),
    keys.outbox,
    keys.payload(id),
    keys.ledgerOutbox,
    keys.tombstone(id),
    keys.stateIndex('awaiting_approval'),
    keys.approvalRules,
    keys.limits,
    keys.customerWindow(request.currency, request.customer.customer_id),
    keys.deposit(id),
    digest,
    String(at),
    entryTail('created', 'producer'),
    id,
    outboxes,
    sealed ?? '',
    method,
    amount,
    request.currency,
    String(at - CUSTOMER_WINDOW_MS),
    String(CUSTOMER_WINDOW_MS + 60_000),
    // The record's fields, name then value. Short values only: Redis keeps a hash whose values are
    // all under 64 bytes in its compact listpack form, several times smaller than a hashtable. So the
    // customer and the masks are fields of their own, and the sealed payload lives in a key of its
    // own. The external_id is the key's own name, so it is not repeated as a field.
    'method',
    method,
    'payment_system',
    request.payment_system,
    'amount',
    amount,
    'currency',
    request.currency,
    'customer_id',
    request.customer.customer_id,
    'country',
    request.customer.country,
    'first_name',
    request.customer.first_name,
    'last_name',
    request.customer.last_name,
  ];
  for (const [name, value] of Object.entries(masked)) args.push(`${MASKED}${name}`, value);
  if (notBefore) args.push('not_before', String(Date.parse(notBefore)));
  return args;
}
