/**
 * `worker_lost_mid_send` says a claim's holder is gone: a second delivery found the payout `sending`
 * past its send window and handed it to review. That is true only when a worker died between the
 * claim and the review. A review with no death in between took a live holder's send for lost; its
 * answer, certain where the review is a guess, then came too late to be applied.
 */

/** The part of a history entry (GET /v1/payouts/:id) the check reads. */
export interface HistoryEntry {
  at?: string;
  to?: string;
  reason?: string;
}

/** The payout's `worker_lost_mid_send` reviews with no worker death (epoch ms) since their claim. */
export function reviewsWithoutLostHolder(
  history: readonly HistoryEntry[],
  workerDeaths: readonly number[],
): { claimedAt: string | null; reviewedAt: string | null }[] {
  const found: { claimedAt: string | null; reviewedAt: string | null }[] = [];
  history.forEach((entry, i) => {
    if (entry.to !== 'needs_review' || !entry.reason?.startsWith('worker_lost_mid_send')) return;
    const claim = history.slice(0, i).findLast((h) => h.to === 'sending');
    const claimedAt = Date.parse(claim?.at ?? '');
    const reviewedAt = Date.parse(entry.at ?? '');
    if (workerDeaths.some((death) => death >= claimedAt && death <= reviewedAt)) return;
    found.push({ claimedAt: claim?.at ?? null, reviewedAt: entry.at ?? null });
  });
  return found;
}
