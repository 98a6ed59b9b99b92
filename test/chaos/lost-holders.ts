/**
 * `worker_lost_mid_send` says a claim's holder is gone: a second delivery found the payout `sending`
 * past its send window and handed it to review (or, resent, out of attempts, to review later). If the
 * holder was alive after all, its answer comes after that: an entry of the worker's, before any later
 * claim, with the gateway's status or noting the attempt's end (`answer_after_payout_moved_on`). That
 * is a live holder's send taken for lost (its window too short), which the run must not show.
 */

/** The part of a history entry (GET /v1/payouts/:id) the check reads. */
export interface HistoryEntry {
  at?: string;
  to?: string;
  reason?: string;
  actor?: string;
  gateway_status?: number;
}

/** The payout's `worker_lost_mid_send` reviews that its holder answered after all. */
export function reviewsOfLiveHolders(
  history: readonly HistoryEntry[],
): { reviewedAt: string | null; answeredAt: string | null }[] {
  const found: { reviewedAt: string | null; answeredAt: string | null }[] = [];
  history.forEach((entry, i) => {
    if (entry.to !== 'needs_review' || !entry.reason?.includes('worker_lost_mid_send')) return;
    for (const later of history.slice(i + 1)) {
      if (later.to === 'sending') return;
      const answered =
        later.gateway_status !== undefined || later.reason?.startsWith('answer_after_payout_moved_on');
      if (later.actor === 'worker' && answered) {
        found.push({ reviewedAt: entry.at ?? null, answeredAt: later.at ?? null });
        return;
      }
    }
  });
  return found;
}
