import type { Currencies } from '../currency/index.js';
import { ConflictError, ExternalIdTakenError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  type GatewayRequest,
  type MethodId,
  maskPaymentData,
  validateDepositRequest,
} from '../methods/index.js';
import type { DurabilityGuard } from '../payout/durability.js';
import { canonicalJson, isDigestOf, type PayloadKeys, requestDigest } from '../payout/sealing.js';
import { isRedisUnavailable } from '../redis.js';
import { answerFor, notDurable, outcomeNotRecorded } from './answers.js';
import type { DepositRecords, DepositView } from './records.js';
import { type DepositSender, sendDeposit, settleDeposit } from './sending.js';

/**
 * One deposit request: validated, recorded `sending` (durably, as REDIS_DURABILITY asks), sent, its
 * outcome written, and answered. A repeated request answers what the record says, never sends again.
 */

/** What a deposit request needs: the records, the durability guard, the gateway and the settings. */
export interface DepositContext {
  records: DepositRecords;
  durability: DurabilityGuard;
  gateway: DepositSender;
  payloadKeys: PayloadKeys;
  logger: Logger;
  currencies: Currencies | undefined;
  sendWindowMs: number;
}

export async function createDeposit(
  context: DepositContext,
  input: unknown,
): Promise<{ created: boolean; deposit: DepositView }> {
  const { records, payloadKeys, sendWindowMs } = context;
  const valid = validateDepositRequest(input, context.currencies);
  if (!valid.ok) throw new ValidationError(valid.issues);
  const { method, request } = valid;
  const id = request.external_id;
  const { cvv: _cvv, ...withoutCvv } = request.payment_data ?? {};
  const canonical = canonicalJson({ method, request: { ...request, payment_data: withoutCvv } });
  const digest = requestDigest(payloadKeys, canonical);

  const existing = await records.digest(id);
  if (existing !== null && !isDigestOf(payloadKeys, canonical, existing)) throw new ConflictError(id);
  const { result: started, durable } = await startSending(context, method, request, digest);
  // Nothing was written: the external_id is a payout's, and the gateway would take it for that one.
  if (started.heldByPayout) throw new ExternalIdTakenError(id, 'payout');
  if (!started.ok) {
    // Already sent (or being sent): answer what we know, never send again.
    const stored = await records.read(id);
    if (!stored) throw new Error(`deposit ${id} vanished`);
    return { created: false, deposit: answerFor(stored.view, sendWindowMs, stored.reason) };
  }
  if (!durable) {
    // A fail-over could lose the record and let the same deposit be sent twice: do not send.
    await records.move(id, 'not_sent', { event: 'not_durable', actor: 'producer', reason: 'not_durable' });
    throw notDurable();
  }
  return { created: true, deposit: await sendAndRecord(context, request) };
}

/**
 * Moves the deposit to `sending` with what it keeps (masked), unless a payout holds its external_id,
 * and waits until that is durable.
 */
function startSending(context: DepositContext, method: MethodId, request: GatewayRequest, digest: string) {
  return context.durability.durably(() =>
    context.records.start(
      request.external_id,
      { event: 'send', actor: 'producer' },
      {
        digest,
        method,
        amount: String(request.amount),
        currency: request.currency,
        masked: JSON.stringify(maskPaymentData(method, request.payment_data ?? {})),
      },
    ),
  );
}

/** Sends the deposit, writes its outcome and answers it; an outcome Redis did not take is unknown. */
async function sendAndRecord(context: DepositContext, request: GatewayRequest): Promise<DepositView> {
  const { records } = context;
  const id = request.external_id;
  const outcome = await sendDeposit(context.gateway, request);
  let stored: Awaited<ReturnType<DepositRecords['read']>>;
  try {
    await settleDeposit(records, id, outcome);
    stored = await records.read(id);
  } catch (err) {
    // Never "nothing was accepted, try again" (a 503): a try may have reached the gateway.
    if (!isRedisUnavailable(err)) throw err;
    context.logger.error(
      { external_id: id, outcome: outcome.kind, err, kind: 'deposit' },
      'the outcome of a deposit could not be recorded; it may have reached the gateway',
    );
    throw outcomeNotRecorded();
  }
  if (!stored) throw new Error(`deposit ${id} vanished`);
  return answerFor(stored.view, context.sendWindowMs, stored.reason);
}
