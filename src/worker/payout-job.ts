import { type GatewayRequest, validatePayoutRequest } from '../methods/index.js';
import { SealError } from '../payout/sealing.js';
import type { ClaimResult } from '../payout/store.js';
import { isRedisUnavailable } from '../redis.js';
import { answerRefusedClaim } from './claim-refused.js';
import { decide } from './decide.js';
import { giveBack } from './give-back.js';
import type { PayoutJob, WorkerContext } from './worker-context.js';

/** A retry_scheduled payout whose job fires this much early is sent anyway: clocks differ a little. */
const EARLY_TOLERANCE_MS = 50;

type Claimed = Extract<ClaimResult, { ok: true }>;

/** Claims a payout under this worker's token for it (see claim-tokens.ts). */
async function claimPayout(ctx: WorkerContext, externalId: string): Promise<ClaimResult> {
  const token = ctx.claimTokens.next(externalId);
  try {
    return await ctx.store.claim(externalId, ctx.now() + EARLY_TOLERANCE_MS, token);
  } catch (err) {
    // Only a lost connection leaves the answer unknown; any other error came with an answer.
    if (isRedisUnavailable(err)) ctx.claimTokens.unanswered(externalId, token);
    throw err;
  }
}

/** One payout job: claim, validate, send, decide, record. Returns what happened, for the job's result. */
export async function processPayout(ctx: WorkerContext, job: PayoutJob, bullToken?: string): Promise<string> {
  const externalId = job.data.externalId;
  // One script checks the state (and, for a retry, that it is due, and that neither a pause nor a
  // breaker holds it), moves it to sending under this worker's token, and returns the record: only
  // the holder of that token sends.
  // Nothing is sent on a claim a fail-over could lose (REDIS_DURABILITY): another worker would
  // find the payout queued again and send it a second time.
  const { result: claim, durable } = await ctx.store.durability.durably(() => claimPayout(ctx, externalId));
  if (!claim.ok) return answerRefusedClaim(ctx, job, bullToken, claim);
  const { record, token, attempts: attempt } = claim;
  if (!durable) return giveBack(ctx, job, bullToken, externalId, token);
  if (claim.probe) {
    ctx.logger.info(
      { external_id: externalId, payment_system: record.paymentSystem },
      `circuit breaker of ${record.paymentSystem}: this payout probes the gateway`,
    );
  }
  const prepared = await requestToSend(ctx, externalId, claim);
  if ('done' in prepared) return prepared.done;

  const started = performance.now();
  const outcome = await ctx.deps.gateway.payout(prepared.request);
  const durationMs = performance.now() - started;
  const decision = decide(outcome, attempt, ctx.deps.policy, ctx.now(), {
    earlierMayHaveReached: record.mayHaveReached,
  });
  try {
    return await ctx.apply({ job, bullToken, externalId, token, attempt }, decision, durationMs);
  } finally {
    // After the payout's own answer is written (a retry's delay included): the breaker is the
    // system's health, never a reason to lose what this attempt learnt.
    await ctx.deps.controls?.attempted(record.paymentSystem, decision.breaker, externalId).catch((err) => {
      ctx.logger.warn({ external_id: externalId, err }, 'circuit breaker: this attempt could not be counted');
    });
  }
}

/**
 * The request to send, unsealed and validated again (the currency rules may have changed since it
 * was accepted); or, when it cannot be sent, the payout moved on and nothing sent.
 */
async function requestToSend(
  ctx: WorkerContext,
  externalId: string,
  claim: Claimed,
): Promise<{ request: GatewayRequest } | { done: string }> {
  const { record, token } = claim;
  let request: GatewayRequest;
  try {
    request = ctx.store.gatewayRequest(record);
  } catch (err) {
    if (!(err instanceof SealError)) throw err;
    // Nothing was sent; the payload key is missing or wrong. An operator fixes the key and resends.
    await ctx.store.transition(externalId, 'review', {
      actor: 'worker',
      token,
      reason: `payload_unreadable: ${err.message}`,
    });
    return { done: 'payload_unreadable' };
  }
  const valid = validatePayoutRequest({ method: record.method, ...request }, ctx.deps.currencies);
  if (!valid.ok) {
    const paths = valid.issues.map((i) => i.path).join(', ');
    // Refusing it now says nothing of an earlier attempt that may have created the payout.
    const event = record.mayHaveReached ? 'review' : 'reject';
    await ctx.store.transition(externalId, event, {
      actor: 'worker',
      token,
      reason: `validation_failed: ${paths}`,
    });
    return { done: `${event}_invalid` };
  }
  return { request: valid.request };
}
