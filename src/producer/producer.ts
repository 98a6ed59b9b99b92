import type { Queue } from 'bullmq';
import { type Currencies, formatAmount } from '../currency/index.js';
import {
  ConflictError,
  NOT_DURABLE,
  NotFoundError,
  OrderRecordedError,
  StoreUnavailableError,
  TransitionRefusedError,
  ValidationError,
} from '../errors.js';
import type { Logger } from '../logger.js';
import {
  type GatewayRequest,
  getMethod,
  isMethodId,
  MAIN_ONLY,
  maskPaymentData,
  NO_CONTROL_CHARACTERS,
  noControlCharacters,
  validatePayoutRequest,
} from '../methods/index.js';
import { SealError } from '../payout/sealing.js';
import { type Actor, DECLINED_BY_OPERATOR, RESOLVED_BY_OPERATOR } from '../payout/states.js';
import type { PayoutRecord, PayoutStore } from '../payout/store.js';
import { ensurePayoutJob, type PayoutJobData } from '../queues.js';
import { isRedisUnavailable } from '../redis.js';
import { type ListQuery, listPayouts, type PayoutPage } from './payout-list.js';
import { type ComparableRequest, requestDifferences } from './request-differences.js';
import { type ArchiveReader, type PayoutHold, type PayoutView, toView } from './view.js';

/**
 * Enqueueing payouts: validate, create the record if absent, make sure it has a job. Used by the
 * HTTP API and by Node backends directly (`createPayoutClient` in the package's entry point).
 */

export interface EnqueueResult {
  /** True when this call created the payout; false when the same request was already accepted. */
  created: boolean;
  payout: PayoutView;
}

export interface Producer {
  /** Validates and enqueues a payout. Throws ValidationError, ConflictError or StoreUnavailableError. */
  enqueuePayout(input: unknown): Promise<EnqueueResult>;
  /** The payout with its history and masked payment_data. Throws NotFoundError. */
  getPayout(externalId: string): Promise<PayoutView>;
  /** A page of payouts, newest change first, without their history, archived ones too when an archive is given (payout-list.ts). */
  listPayouts(query: ListQuery): Promise<PayoutPage>;
  /** Cancels a payout that has not been sent yet. Throws NotFoundError or TransitionRefusedError. */
  cancelPayout(externalId: string, by: { actor: Actor; who?: string; note?: string }): Promise<PayoutView>;
  /**
   * An operator's decision on a payout in needs_review: what the gateway says happened
   * (succeeded, failed), or `resend`, the explicit decision that a second payout is impossible or
   * acceptable. Throws NotFoundError, TransitionRefusedError, or OrderRecordedError for a resend of
   * a payout that holds a gateway order without `force`.
   */
  resolvePayout(externalId: string, decision: ResolveDecision): Promise<PayoutView>;
  /**
   * An approver's approval of a payout awaiting_approval: it is queued (and sent) once the approvals
   * it needs are in, each from a different approver. Throws NotFoundError or TransitionRefusedError
   * (not awaiting approval, or this approver has already approved it).
   */
  approvePayout(externalId: string, by: { who: string; note?: string | undefined }): Promise<PayoutView>;
  /** An approver's refusal: `rejected` with reason `declined_by_operator`. */
  declinePayout(externalId: string, by: { who: string; note?: string | undefined }): Promise<PayoutView>;
}

export interface ResolveDecision {
  as: 'succeeded' | 'failed' | 'resend';
  note: string;
  who: string;
  /**
   * Resend although the payout holds a gateway order (refused otherwise, with OrderRecordedError):
   * the operator's explicit word that a second order is impossible or acceptable.
   */
  force?: boolean | undefined;
}

/**
 * An operator's note and name reach terminals (`payouts status`), Bull Board and notifications: no
 * control characters, whether they come from the API, the CLI or the library.
 */
function checkOperatorText(fields: { note?: string | undefined; who?: string | undefined }): void {
  const issues = Object.entries(fields)
    .filter(([, value]) => value !== undefined && !noControlCharacters(value))
    .map(([path]) => ({ path, message: NO_CONTROL_CHARACTERS }));
  if (issues.length > 0) throw new ValidationError(issues);
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

const RESOLVE_EVENTS = {
  succeeded: 'resolve_succeeded',
  failed: 'resolve_failed',
  resend: 'resend',
} as const;

export function createProducer(deps: {
  store: PayoutStore;
  queue: Queue<PayoutJobData>;
  logger: Logger;
  /** The deployment's currency rules (`config.currencies`); @defaultValue the rules of unset settings */
  currencies?: Currencies;
  /** Where payouts archived out of Redis are read; without it, an archived payout is answered 503. */
  archive?: ArchiveReader;
  /** What holds a payment_system's payouts now, if anything (src/controls): shown on a waiting payout. */
  holdOf?: (paymentSystem: string) => Promise<PayoutHold | undefined>;
}): Producer {
  const { store, queue } = deps;

  /** Turns "Redis is down" into the API's 503; everything else propagates. */
  async function guarded<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isRedisUnavailable(err)) throw new StoreUnavailableError(err);
      throw err;
    }
  }

  async function view(externalId: string): Promise<PayoutView> {
    const record = await store.get(externalId);
    if (record) {
      const waiting = record.status === 'queued' || record.status === 'retry_scheduled';
      const hold = waiting ? await deps.holdOf?.(record.paymentSystem) : undefined;
      return toView(record, await store.history(externalId), hold);
    }
    const archived = await deps.archive?.payout(externalId);
    if (!archived) throw new NotFoundError(externalId);
    return archived;
  }

  /** An archived payout, which its tombstone proves exists: 503 until the archive can answer. */
  async function archivedView(externalId: string): Promise<PayoutView> {
    const archived = await deps.archive?.payout(externalId);
    if (archived) return archived;
    deps.logger.error(
      { external_id: externalId },
      'payout archived out of Redis but not found in the ledger (is LEDGER_DATABASE_URL set?)',
    );
    throw new StoreUnavailableError();
  }

  /** Why an operator's action found no payout in Redis: archived (finished, refused) or absent. */
  async function refusedOrMissing(externalId: string, action: string): Promise<never> {
    const archived = await deps.archive?.payout(externalId);
    if (!archived) throw new NotFoundError(externalId);
    throw new TransitionRefusedError(externalId, action, archived.status);
  }

  return {
    async enqueuePayout(input) {
      const valid = validatePayoutRequest(input, deps.currencies);
      if (!valid.ok) throw new ValidationError(valid.issues);
      const { method, request, notBefore } = valid;
      return guarded(async () => {
        // Read beside the create, so both go to Redis in one write: the hold is shown on a new payout.
        // A hold that cannot be read now is left out: the payout is accepted all the same.
        const holdRead = deps.holdOf?.(request.payment_system).catch(() => undefined);
        const { result: res, durable } = await store.durability.durably(() =>
          store.create({
            method,
            request,
            masked: maskPaymentData(method, request.payment_data ?? {}),
            notBefore,
          }),
        );
        if (res.outcome === 'archived') {
          // The ledger keeps no payment data to name the differing fields by: the digest decides.
          if (!res.same) throw new ConflictError(request.external_id);
          return { created: false, payout: await archivedView(request.external_id) };
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
        if (res.outcome === 'conflict') {
          throw new ConflictError(
            request.external_id,
            differingFields(store, res.record, { method, request, notBefore }),
          );
        }
        if (res.outcome === 'created' && res.record.status === 'queued') {
          // The record is written. Should adding its job fail, the sweep adds it (a queued payout
          // without a job is repaired), so that alone does not change the answer. One held for
          // approval gets its job when it is approved.
          const delayUntil = notBefore ? Date.parse(notBefore) : undefined;
          await ensurePayoutJob(queue, request.external_id, { isNew: true, delayUntil }).catch(
            (err: unknown) => {
              deps.logger.warn(
                { external_id: request.external_id, err },
                'payout job not added yet; the sweep will add it',
              );
            },
          );
        }
        // Accepted only once the record would survive a fail-over (REDIS_DURABILITY); until then the
        // answer is "outcome unknown", and the worker will not send it either.
        if (!durable) throw new StoreUnavailableError(undefined, NOT_DURABLE);
        if (res.outcome === 'created') {
          return { created: true, payout: toView(res.record, res.history, await holdRead) };
        }
        // The same request again. Also repairs a crash between record and job: the client's retry
        // is what re-adds a missing job.
        if (res.record.status === 'queued') await ensurePayoutJob(queue, request.external_id);
        return { created: false, payout: await view(request.external_id) };
      });
    },

    getPayout: (externalId) => guarded(() => view(externalId)),
    listPayouts: (query) => guarded(() => listPayouts(store, deps.holdOf, query, deps.archive)),

    cancelPayout: (externalId, by) =>
      guarded(async () => {
        checkOperatorText({ note: by.note, who: by.who });
        const moved = await store.transition(externalId, 'cancel', {
          actor: by.actor,
          who: by.who,
          note: by.note,
          reason: 'cancelled',
        });
        if (!moved.ok) {
          if (moved.current === undefined) return refusedOrMissing(externalId, 'cancel');
          throw new TransitionRefusedError(
            externalId,
            'cancel',
            moved.current,
            moved.mayHaveReached
              ? 'an earlier attempt whose outcome was unknown may have reached the gateway'
              : undefined,
          );
        }
        // The job, if any, finds the payout cancelled and sends nothing.
        return view(externalId);
      }),

    approvePayout: (externalId, by) =>
      guarded(async () => {
        checkOperatorText({ note: by.note, who: by.who });
        const moved = await store.transition(externalId, 'approve', {
          actor: 'operator',
          who: by.who,
          note: by.note,
          approver: by.who,
        });
        if (!moved.ok) {
          if (moved.current === undefined) throw new NotFoundError(externalId);
          throw new TransitionRefusedError(
            externalId,
            'approve',
            moved.current,
            moved.sameApprover
              ? `${by.who} has approved it already: another approver must give the second`
              : undefined,
          );
        }
        if (!moved.approvalRecorded) await ensurePayoutJob(queue, externalId);
        return view(externalId);
      }),

    declinePayout: (externalId, by) =>
      guarded(async () => {
        checkOperatorText({ note: by.note, who: by.who });
        const moved = await store.transition(externalId, 'decline', {
          actor: 'operator',
          who: by.who,
          note: by.note,
          reason: DECLINED_BY_OPERATOR,
        });
        if (!moved.ok) {
          if (moved.current === undefined) throw new NotFoundError(externalId);
          throw new TransitionRefusedError(externalId, 'decline', moved.current);
        }
        return view(externalId);
      }),

    resolvePayout: (externalId, decision) =>
      guarded(async () => {
        checkOperatorText({ note: decision.note, who: decision.who });
        const moved = await store.transition(externalId, RESOLVE_EVENTS[decision.as], {
          actor: 'operator',
          who: decision.who,
          note: decision.note,
          reason: `${RESOLVED_BY_OPERATOR}: ${decision.as}${decision.as === 'resend' && decision.force ? ' (force)' : ''}`,
          // The attempt whose outcome was unknown may still have created the payout: a resent one is
          // never cancelled, nor ended as not_sent or rejected, on the strength of a later attempt.
          ...(decision.as === 'resend' ? { mayHaveReached: true, force: decision.force === true } : {}),
        });
        if (!moved.ok) {
          if (moved.current === undefined) return refusedOrMissing(externalId, `resolve as ${decision.as}`);
          if (moved.orderRecorded !== undefined)
            throw new OrderRecordedError(externalId, moved.orderRecorded);
          throw new TransitionRefusedError(externalId, `resolve as ${decision.as}`, moved.current);
        }
        if (decision.as === 'resend') await ensurePayoutJob(queue, externalId);
        return view(externalId);
      }),
  };
}
