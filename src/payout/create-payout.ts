import { showAmount } from '../currency/index.js';
import type { GatewayRequest, MethodId } from '../methods/index.js';
import { runScript } from '../redis.js';
import { CREATE } from './create-script.js';
import { entryTail, type HistoryEntry } from './history.js';
import { MASKED, type PayoutRecord } from './record.js';
import { canonicalJson, isDigestOf, requestDigest, seal } from './sealing.js';
import type { PayoutState } from './states.js';
import type { CreateResult, StoreContext } from './store-types.js';

/** The per-customer limits count what one customer was paid over this rolling window. */
export const CUSTOMER_WINDOW_MS = 24 * 3_600_000;

/**
 * A new payout, in one script: the record, its sealed payment data, its first history entry, its
 * index, the approval rules and limits applied, the customer's window counted; or what is there
 * already for its external_id (the same request, another body, or only its tombstone).
 */
export async function createPayout(
  ctx: StoreContext,
  get: (externalId: string) => Promise<PayoutRecord | undefined>,
  input: {
    method: MethodId;
    request: GatewayRequest;
    masked: Record<string, string>;
    /** Normalized ISO time: a scheduled payout (see PayoutRecord.notBefore). */
    notBefore?: string | undefined;
  },
): Promise<CreateResult> {
  const { redis, keys, now, outboxes, payloadKeys, logger, options } = ctx;
  const { method, request, masked, notBefore } = input;
  const id = request.external_id;
  const at = now();
  // The normalized request, keyed: "the same request again" is told from "another body" by it.
  // not_before only when given, so requests made before it existed keep their digest.
  const canonical = canonicalJson({ method, request, ...(notBefore ? { not_before: notBefore } : {}) });
  const digest = requestDigest(payloadKeys, canonical);
  const sealed =
    request.payment_data !== undefined
      ? seal(payloadKeys, id, JSON.stringify(request.payment_data))
      : undefined;
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
  const res = (await runScript(redis, CREATE, 11, ...args)) as [number, string?, string?];
  if (res[0] === -2) return { outcome: 'over_cap', maxAmount: Number(res[1]) };
  if (res[0] === 1) {
    const status = res[1] as PayoutState;
    const reason = res[2] || undefined;
    logger.info(
      {
        external_id: id,
        from: null,
        to: status,
        attempt: 0,
        amount: showAmount(request.amount, request.currency, options.currencies),
        ...(reason ? { reason } : {}),
      },
      `payout -> ${status}`,
    );
    options.onTransition?.(null, status, method);
    // Built from what was written, not read back: once the script ran, the payout is accepted,
    // and answering that must not depend on one more round trip to Redis.
    const createdAt = new Date(at).toISOString();
    const record: PayoutRecord = {
      externalId: id,
      method,
      paymentSystem: request.payment_system,
      amount: request.amount,
      currency: request.currency,
      customer: request.customer,
      status,
      orderId: undefined,
      gatewayStatus: undefined,
      attempts: 0,
      createdAt,
      updatedAt: createdAt,
      maskedPaymentData: masked,
      reason,
      reasonCode: undefined,
      nextAttemptAt: undefined,
      token: undefined,
      mayHaveReached: false,
      approvalsNeeded: undefined,
      approvedBy: [],
      seq: 1,
      sealedPayload: sealed,
      digest,
      notBefore: notBefore ? Date.parse(notBefore) : undefined,
    };
    const history: HistoryEntry[] = [
      {
        at: createdAt,
        to: status,
        event: 'created',
        actor: 'producer',
        seq: 1,
        ...(reason ? { reason } : {}),
      },
    ];
    return { outcome: 'created', record, history };
  }
  const same = isDigestOf(payloadKeys, canonical, res[1] ?? '');
  if (res[2] === 'archived') return { outcome: 'archived', same };
  const record = await get(id);
  if (!record) throw new Error(`payout ${id} vanished right after it was found`);
  return { outcome: same ? 'existing' : 'conflict', record };
}
