import { describe, expect, test } from 'vitest';
import { reviewsWithoutLostHolder } from '../../chaos/lost-holders.js';

/** The chaos run's check that `worker_lost_mid_send` is only said of a claim whose worker died. */

const T = Date.parse('2026-12-04T10:00:00.000Z');
const at = (ms: number) => new Date(T + ms).toISOString();
const LOST = 'worker_lost_mid_send: outcome unknown';

/** Claimed at +0, handed to review at +9 s. */
const reviewed = [
  { at: at(-50), to: 'queued' },
  { at: at(0), to: 'sending' },
  { at: at(9_000), to: 'needs_review', reason: LOST },
];

describe('reviewsWithoutLostHolder', () => {
  test('a worker killed between the claim and the review explains it', () => {
    expect(reviewsWithoutLostHolder(reviewed, [T + 400])).toEqual([]);
  });

  test('no kill at all, or kills only before the claim or after the review: a live holder taken for lost', () => {
    const found = [{ claimedAt: at(0), reviewedAt: at(9_000) }];
    expect(reviewsWithoutLostHolder(reviewed, [])).toEqual(found);
    expect(reviewsWithoutLostHolder(reviewed, [T - 1, T + 9_001])).toEqual(found);
  });

  test('the claim that counts is the last one before the review', () => {
    const retried = [
      { at: at(0), to: 'sending' },
      { at: at(100), to: 'retry_scheduled', reason: 'gateway_busy: HTTP 503' },
      { at: at(2_000), to: 'sending' },
      { at: at(11_000), to: 'needs_review', reason: LOST },
    ];
    // Killed after the first claim, which was answered: the second claim's holder was alive.
    expect(reviewsWithoutLostHolder(retried, [T + 1_000])).toEqual([
      { claimedAt: at(2_000), reviewedAt: at(11_000) },
    ]);
    expect(reviewsWithoutLostHolder(retried, [T + 3_000])).toEqual([]);
  });

  test('reviews for other reasons, and payouts never reviewed, are not its business', () => {
    const unknown = [
      { at: at(0), to: 'sending' },
      { at: at(50), to: 'needs_review', reason: 'outcome_unknown: ECONNRESET' },
    ];
    expect(reviewsWithoutLostHolder(unknown, [])).toEqual([]);
    expect(
      reviewsWithoutLostHolder(
        [
          { at: at(0), to: 'sending' },
          { at: at(5), to: 'submitted' },
        ],
        [],
      ),
    ).toEqual([]);
  });
});
