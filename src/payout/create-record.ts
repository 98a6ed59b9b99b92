import { showAmount } from '../currency/index.js';
import type { CreateWrite } from './create-args.js';
import type { HistoryEntry } from './history.js';
import type { PayoutRecord } from './record.js';
import type { PayoutState } from './states.js';
import type { CreateResult, StoreContext } from './store-types.js';

/** The payout was created: its first move logged and counted, its record and history answered. */
export function acceptCreated(
  ctx: StoreContext,
  write: CreateWrite,
  res: [number, string?, string?],
): CreateResult {
  const { logger, options } = ctx;
  const { method, request } = write.input;
  const id = request.external_id;
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
  return { outcome: 'created', ...createdRecord(write, status, reason) };
}

/**
 * Built from what was written, not read back: once the script ran, the payout is accepted, and
 * answering that must not depend on one more round trip to Redis.
 */
function createdRecord(
  write: CreateWrite,
  status: PayoutState,
  reason: string | undefined,
): { record: PayoutRecord; history: HistoryEntry[] } {
  const { input, at, digest, sealed } = write;
  const { method, request, masked, notBefore } = input;
  const id = request.external_id;
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
  return { record, history };
}
