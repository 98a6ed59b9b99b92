import type { Job } from 'bullmq';
import { describe, expect, test } from 'vitest';
import type { PayoutJobData } from '../../../src/queues.js';
import { createDecisionApplier } from '../../../src/worker/apply-decision.js';
import type { PayoutWorkerDeps } from '../../../src/worker/payout-worker.js';
import { cardPayout } from '../../helpers/requests.js';
import { useStore } from './store-fixture.js';

/**
 * A worker's attempt that ends after the payout moved on (a second delivery took its holder for lost):
 * what it learnt is written to the history, not applied, so the operator resolving the review sees it.
 */

const { store, log, createPayout } = useStore('late-decisions');

const applier = () =>
  createDecisionApplier({ store, logger: log.logger } as unknown as PayoutWorkerDeps, async () => {
    throw new Error('a refused decision must not delay the job');
  });

/** A payout claimed under a token, then handed to review by a second delivery. */
async function takenForLost() {
  const { external_id } = cardPayout();
  await createPayout({ external_id });
  const claim = await store.claim(external_id, Date.now());
  if (!claim.ok) throw new Error('claim refused');
  await store.transition(external_id, 'review', {
    actor: 'worker',
    token: claim.token,
    reason: 'worker_lost_mid_send: outcome unknown',
  });
  const job = { id: `p-${external_id}`, data: { externalId: external_id } } as Job<PayoutJobData>;
  return { external_id, token: claim.token, job };
}

describe("a worker's attempt that ends after its payout was taken for lost", () => {
  test('not sent: noted in the history (sending again is safe), the review stays', async () => {
    const { external_id, token, job } = await takenForLost();
    const done = await applier()(
      { job, bullToken: undefined, externalId: external_id, token, attempt: 1 },
      {
        action: 'retry',
        at: Date.now() + 1_000,
        reason: 'not_sent: ECONNREFUSED',
        breaker: 'no_answer',
      },
      5,
    );
    expect(done).toBe('retry_refused_needs_review');
    expect((await store.get(external_id))!.status).toBe('needs_review');
    expect((await store.history(external_id)).at(-1)).toMatchObject({
      event: 'gateway_report',
      actor: 'worker',
      from: 'needs_review',
      to: 'needs_review',
      reason:
        'answer_after_payout_moved_on: attempt 1 ended retry (not_sent: ECONNREFUSED) when the payout was already needs_review',
    });
    expect(log.text()).toMatch(/a worker's attempt ended after the payout moved on/);
  });

  test('a refusal or an unknown outcome: noted the same way, nothing moves', async () => {
    for (const decision of [
      { action: 'reject', reason: 'gateway_rejected: HTTP 422 validation_failed', breaker: 'answered' },
      { action: 'review', reason: 'outcome_unknown: http_500', breaker: 'no_answer' },
    ] as const) {
      const { external_id, token, job } = await takenForLost();
      expect(
        await applier()(
          { job, bullToken: undefined, externalId: external_id, token, attempt: 1 },
          decision,
          5,
        ),
      ).toBe(`${decision.action}_refused_needs_review`);
      const history = await store.history(external_id);
      expect(history.map((h) => h.to)).toEqual(['queued', 'sending', 'needs_review', 'needs_review']);
      expect(history.at(-1)!.reason).toContain(`ended ${decision.action} (${decision.reason})`);
    }
  });

  test("the worker's own write run twice (its first reply lost): the payout already says it, nothing noted", async () => {
    const { external_id } = cardPayout();
    await createPayout({ external_id });
    const claim = await store.claim(external_id, Date.now());
    if (!claim.ok) throw new Error('claim refused');
    const decision = { action: 'review', reason: 'outcome_unknown: http_502', breaker: 'no_answer' } as const;
    await store.transition(external_id, 'review', {
      actor: 'worker',
      token: claim.token,
      reason: decision.reason,
    });
    const job = { id: `p-${external_id}`, data: { externalId: external_id } } as Job<PayoutJobData>;
    const attempt = { job, bullToken: undefined, externalId: external_id, token: claim.token, attempt: 1 };
    expect(await applier()(attempt, decision, 5)).toBe('review_refused_needs_review');
    expect((await store.history(external_id)).map((h) => h.to)).toEqual([
      'queued',
      'sending',
      'needs_review',
    ]);
  });
});
