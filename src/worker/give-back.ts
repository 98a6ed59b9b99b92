import type { PayoutStore } from '../payout/store.js';
import { isRedisUnavailable } from '../redis.js';
import { backoffDelay } from './decide.js';
import type { PayoutJob, WorkerContext } from './worker-context.js';

/**
 * A claim not confirmed durable in time: nothing was sent under it, so it is given back
 * (`retry_scheduled`, its attempt not counted) and the job waits, without a BullMQ attempt.
 */
export async function giveBack(
  ctx: WorkerContext,
  job: PayoutJob,
  bullToken: string | undefined,
  externalId: string,
  token: string,
): Promise<string> {
  const at = ctx.now() + backoffDelay(ctx.deps.policy, 1);
  const reason = 'durability_not_confirmed: the claim was not confirmed durable in time; nothing sent';
  let res: Awaited<ReturnType<PayoutStore['transition']>>;
  try {
    res = await ctx.store.transition(externalId, 'give_back', {
      actor: 'worker',
      token,
      reason,
      nextAttemptAt: at,
    });
  } catch (err) {
    // Unanswered: the job's next try in this process takes the claim back as its own (unsent).
    if (isRedisUnavailable(err)) ctx.claimTokens.unanswered(externalId, token);
    throw err;
  }
  ctx.logger.warn(
    { external_id: externalId, given_back: res.ok, current: res.ok ? res.to : res.current },
    'payout claim not confirmed durable in time (REDIS_DURABILITY): nothing sent, trying again later',
  );
  // Refused when the claim itself was lost (a fail-over: the payout is queued again) or the gateway's
  // word moved it meanwhile: the job waits all the same, and its next claim checks the state.
  if (!res.ok && res.current === undefined) return 'give_back_no_record';
  return ctx.delayJob(job, bullToken, at);
}
