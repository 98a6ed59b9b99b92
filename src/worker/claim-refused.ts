import type { ClaimResult } from '../payout/store.js';
import { decideLostHolder } from './decide.js';
import type { PayoutJob, WorkerContext } from './worker-context.js';

/**
 * A claim the record refused: held by the controls (the job waits), no record, a payout already
 * `sending` under another claim, one not due yet, or one that has moved on. Nothing is sent.
 */
export async function answerRefusedClaim(
  ctx: WorkerContext,
  job: PayoutJob,
  bullToken: string | undefined,
  claim: Extract<ClaimResult, { ok: false }>,
): Promise<string> {
  const externalId = job.data.externalId;
  if (claim.hold) return ctx.waitHeld(job, bullToken, claim.hold);
  switch (claim.current) {
    case undefined:
      ctx.logger.error(
        { external_id: externalId, job_id: job.id },
        'payout job without a payout record; nothing sent',
      );
      return 'no_record';
    case 'sending': {
      // A second delivery of a job whose holder stopped (or lost its lock) mid-send. Nothing is
      // sent under another's claim. While the holder may still be waiting on the gateway, wait
      // for it: its answer (not sent, 429, a refusal, an order) is certain where ours is not.
      const windowEnds = claim.since !== undefined ? claim.since + ctx.sendWindowMs : undefined;
      if (windowEnds !== undefined && ctx.now() < windowEnds) {
        ctx.logger.info(
          { external_id: externalId, job_id: job.id, wait_ms: windowEnds - ctx.now() },
          "a second delivery found the payout sending under a young claim: waiting for its holder's answer",
        );
        return ctx.delayJob(job, bullToken, windowEnds);
      }
      // The holder is gone: whether its request reached the gateway is unknown. As for any unknown
      // outcome, a person or the gateway decides, unless the gateway deduplicates (RESEND_ON_UNKNOWN).
      return lostHolder(ctx, job, bullToken, claim.heldBy ?? '');
    }
    case 'retry_scheduled':
      // Not due yet (a job that fired early, or a payout rescheduled since): wait, without an attempt.
      if (claim.nextAttemptAt !== undefined) return ctx.delayJob(job, bullToken, claim.nextAttemptAt);
      // Not reachable by the script's rules; failing keeps the job, which BullMQ tries again.
      throw new Error('claim of a retry_scheduled payout refused without a due time');
    case 'queued':
      // A scheduled payout (not_before) whose job fired early, or was re-added by the sweep: wait.
      if (claim.nextAttemptAt !== undefined) return ctx.delayJob(job, bullToken, claim.nextAttemptAt);
      return `skipped_${claim.current}`;
    default:
      return `skipped_${claim.current}`;
  }
}

/**
 * The holder of the claim under `heldBy` is taken for lost, and its attempt decided as an unknown
 * outcome (decide.ts). Each write names `heldBy`: a payout that moved meanwhile is left as it is. A
 * write cut off by a lost connection fails the job, whose next try finds the payout as it is then.
 */
async function lostHolder(
  ctx: WorkerContext,
  job: PayoutJob,
  bullToken: string | undefined,
  heldBy: string,
): Promise<string> {
  const externalId = job.data.externalId;
  // Read apart from the claim: a claim adds the attempt, so this is the lost one's number.
  const record = await ctx.store.get(externalId);
  const decision = decideLostHolder(record?.attempts ?? 1, ctx.deps.policy, ctx.now(), {
    earlierMayHaveReached: record?.mayHaveReached ?? false,
  });
  const moves = { actor: 'worker' as const, token: heldBy, reason: decision.reason };
  const moved =
    decision.action === 'review'
      ? await ctx.store.transition(externalId, 'review', moves)
      : await ctx.store.transition(externalId, 'retry', {
          ...moves,
          nextAttemptAt: decision.at,
          mayHaveReached: true,
        });
  if (moved.ok) {
    return decision.action === 'review'
      ? 'review_after_redelivery'
      : ctx.delayJob(job, bullToken, decision.at);
  }
  // Moved meanwhile (its holder's own answer, or this write run twice on a cut connection): a payout
  // that waits for an attempt keeps its job, whose next run claims it as the payout is then.
  if (moved.current === 'retry_scheduled' || moved.current === 'queued')
    return ctx.delayJob(job, bullToken, ctx.now());
  return `${decision.action}_refused_${moved.current}`;
}
