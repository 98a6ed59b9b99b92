import { formatAmount } from '../currency/index.js';
import {
  ConflictError,
  ExternalIdTakenError,
  NOT_DURABLE,
  StoreUnavailableError,
  ValidationError,
} from '../errors.js';
import {
  type GatewayRequest,
  getMethod,
  isMethodId,
  MAIN_ONLY,
  maskPaymentData,
  validatePayoutRequest,
} from '../methods/index.js';
import { SealError } from '../payout/sealing.js';
import type { PayoutRecord, PayoutStore } from '../payout/store.js';
import type { CreateResult } from '../payout/store-types.js';
import { ensurePayoutJob } from '../queues.js';
import type { EnqueueResult } from './producer.js';
import { archivedView, guarded, type ProducerDeps, view } from './producer-deps.js';
import { type ComparableRequest, requestDifferences } from './request-differences.js';
import { toView } from './view.js';

/**
 * Enqueueing a payout: validate, create the record if absent (durably, as REDIS_DURABILITY says),
 * make sure it has a job, and answer what the create found.
 */
export async function enqueuePayout(deps: ProducerDeps, input: unknown): Promise<EnqueueResult> {
  const valid = validatePayoutRequest(input, deps.currencies);
  if (!valid.ok) throw new ValidationError(valid.issues);
  const { method, request, notBefore } = valid;
  return guarded(async () => {
    // Read beside the create, so both go to Redis in one write: the hold is shown on a new payout.
    // A hold that cannot be read now is left out: the payout is accepted all the same.
    const holdRead = deps.holdOf?.(request.payment_system).catch(() => undefined);
    const { result: res, durable } = await deps.store.durability.durably(() =>
      deps.store.create({
        method,
        request,
        masked: maskPaymentData(method, request.payment_data ?? {}),
        notBefore,
      }),
    );
    const sent: ComparableRequest = { method, request, notBefore };
    if (
      res.outcome === 'archived' ||
      res.outcome === 'over_cap' ||
      res.outcome === 'conflict' ||
      res.outcome === 'held_by_deposit'
    )
      return refused(deps, res, sent);
    if (res.outcome === 'created' && res.record.status === 'queued')
      await addFirstJob(deps, request, notBefore);
    // Accepted only once the record would survive a fail-over (REDIS_DURABILITY); until then the
    // answer is "outcome unknown", and the worker will not send it either.
    if (!durable) throw new StoreUnavailableError(undefined, NOT_DURABLE);
    if (res.outcome === 'created') {
      return { created: true, payout: toView(res.record, res.history, await holdRead) };
    }
    // The same request again. Also repairs a crash between record and job: the client's retry
    // is what re-adds a missing job.
    if (res.record.status === 'queued') await ensurePayoutJob(deps.queue, request.external_id);
    return { created: false, payout: await view(deps, request.external_id) };
  });
}

/** A create that found an archived payout, a cap, a deposit, or another body under the external_id. */
async function refused(
  deps: ProducerDeps,
  res: Extract<CreateResult, { outcome: 'archived' | 'over_cap' | 'conflict' | 'held_by_deposit' }>,
  sent: ComparableRequest,
): Promise<EnqueueResult> {
  const { request } = sent;
  if (res.outcome === 'held_by_deposit') throw new ExternalIdTakenError(request.external_id, 'deposit');
  if (res.outcome === 'archived') {
    // The ledger keeps no payment data to name the differing fields by: the digest decides.
    if (!res.same) throw new ConflictError(request.external_id);
    return { created: false, payout: await archivedView(deps, request.external_id) };
  }
  if (res.outcome === 'over_cap') {
    const cap = formatAmount(res.maxAmount, request.currency, deps.currencies);
    throw new ValidationError([
      {
        path: 'amount',
        message: `is over the ${request.currency} cap: at most ${cap} (max_amount ${res.maxAmount}) per payout`,
      },
    ]);
  }
  throw new ConflictError(request.external_id, differingFields(deps.store, res.record, sent));
}

/**
 * The record is written. Should adding its job fail, the sweep adds it (a queued payout without a
 * job is repaired), so that alone does not change the answer. One held for approval gets its job when
 * it is approved.
 */
async function addFirstJob(deps: ProducerDeps, request: GatewayRequest, notBefore: string | undefined) {
  const delayUntil = notBefore ? Date.parse(notBefore) : undefined;
  await ensurePayoutJob(deps.queue, request.external_id, { isNew: true, delayUntil }).catch(
    (err: unknown) => {
      deps.logger.warn(
        { external_id: request.external_id, err },
        'payout job not added yet; the sweep will add it',
      );
    },
  );
}

/** What a conflicting request changed, by field name (request-differences.ts). */
function differingFields(store: PayoutStore, record: PayoutRecord, sent: ComparableRequest): string[] {
  let accepted: GatewayRequest;
  try {
    accepted = store.gatewayRequest(record);
  } catch (err) {
    // A payload sealed with a key no longer configured: compare everything else.
    if (!(err instanceof SealError)) throw err;
    accepted = store.gatewayRequest({ ...record, sealedPayload: undefined });
  }
  const paymentDataKnown =
    record.sealedPayload !== undefined ? accepted.payment_data !== undefined : takesNoPaymentData(record);
  const notBefore = record.notBefore !== undefined ? new Date(record.notBefore).toISOString() : undefined;
  return requestDifferences({ method: record.method, request: accepted, paymentDataKnown, notBefore }, sent);
}

/** A payout without a sealed payload either took none or has finished (its payload deleted). */
function takesNoPaymentData(record: PayoutRecord): boolean {
  return isMethodId(record.method) && getMethod(record.method).payout === MAIN_ONLY;
}
