import { describe, expect, test } from 'vitest';
import { reviewsOfLiveHolders } from '../../chaos/lost-holders.js';

/** The chaos run's check that `worker_lost_mid_send` is never said of a holder that then answers. */

const T = Date.parse('2026-12-04T10:00:00.000Z');
const at = (ms: number) => new Date(T + ms).toISOString();
const LOST = 'worker_lost_mid_send: outcome unknown';

/** Claimed at +0, handed to review at +20 s. */
const reviewed = [
  { at: at(-50), to: 'queued', actor: 'producer' },
  { at: at(0), to: 'sending', actor: 'worker' },
  { at: at(20_000), to: 'needs_review', actor: 'worker', reason: LOST },
];

describe('reviewsOfLiveHolders', () => {
  test('a review nobody answered, or one a callback, a poll or an operator settled: a lost holder', () => {
    expect(reviewsOfLiveHolders(reviewed)).toEqual([]);
    for (const actor of ['callback', 'reconciler', 'operator'])
      expect(
        reviewsOfLiveHolders([...reviewed, { at: at(21_000), to: 'succeeded', actor, gateway_status: 4 }]),
      ).toEqual([]);
  });

  test("the worker's own answer after the review, applied or only noted: a live holder taken for lost", () => {
    const found = [{ reviewedAt: at(20_000), answeredAt: at(20_500) }];
    const applied = { at: at(20_500), to: 'submitted', actor: 'worker', gateway_status: 1 };
    expect(reviewsOfLiveHolders([...reviewed, applied])).toEqual(found);
    const noted = { at: at(20_500), to: 'succeeded', actor: 'worker', gateway_status: 1 };
    expect(
      reviewsOfLiveHolders([...reviewed, { at: at(20_100), to: 'succeeded', actor: 'callback' }, noted]),
    ).toEqual(found);
  });

  test("the worker's attempt ending without a gateway status (not sent, 429), noted after the review: a live holder", () => {
    const noted = {
      at: at(20_700),
      to: 'needs_review',
      actor: 'worker',
      reason:
        'answer_after_payout_moved_on: attempt 1 ended retry (not_sent: ECONNREFUSED) when the payout was already needs_review',
    };
    expect(reviewsOfLiveHolders([...reviewed, noted])).toEqual([
      { reviewedAt: at(20_000), answeredAt: at(20_700) },
    ]);
    // Resent under RESEND_ON_UNKNOWN and out of attempts, the reason names the lost holder further on.
    const exhausted = [
      reviewed[0]!,
      reviewed[1]!,
      {
        at: at(20_000),
        to: 'needs_review',
        actor: 'worker',
        reason: 'attempts_exhausted_outcome_unknown: unknown_resend: worker_lost_mid_send',
      },
    ];
    expect(reviewsOfLiveHolders([...exhausted, noted])).toHaveLength(1);
  });

  test('after a later claim (an operator resent it), the answers are that claim’s', () => {
    expect(
      reviewsOfLiveHolders([
        ...reviewed,
        { at: at(30_000), to: 'queued', actor: 'operator' },
        { at: at(30_100), to: 'sending', actor: 'worker' },
        { at: at(30_200), to: 'submitted', actor: 'worker', gateway_status: 1 },
      ]),
    ).toEqual([]);
  });

  test('reviews for other reasons are not its business', () => {
    expect(
      reviewsOfLiveHolders([
        { at: at(0), to: 'sending', actor: 'worker' },
        { at: at(50), to: 'needs_review', actor: 'worker', reason: 'outcome_unknown: ECONNRESET' },
        { at: at(60), to: 'submitted', actor: 'worker', gateway_status: 1 },
      ]),
    ).toEqual([]);
  });
});
