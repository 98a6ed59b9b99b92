import type { Logger } from '../logger.js';
import { APPROVAL_EXPIRED } from '../payout/states.js';
import type { PayoutStore } from '../payout/store.js';

/** Payouts expired per page, and pages per run: a backlog is worked off over several runs. */
const PAGE = 500;
const PAGES_PER_RUN = 20;

/**
 * Ends the payouts nobody approved within `timeoutMs` of their creation as `cancelled`
 * (`approval_expired`): a withdrawal is not left on hold for ever, and the casino is told (the
 * terminal notification) so it can return the funds. A first approval of two does not extend it.
 */
export async function expireApprovals(
  deps: { store: PayoutStore; logger: Logger },
  opts: { timeoutMs: number },
  now = Date.now(),
): Promise<number> {
  let expired = 0;
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const due = await deps.store.list('awaiting_approval', { before: now - opts.timeoutMs, limit: PAGE });
    for (const { externalId } of due) {
      // Refused only when an approver or an operator acted first: nothing to do then.
      const moved = await deps.store.transition(externalId, 'expire_approval', {
        actor: 'reconciler',
        reason: APPROVAL_EXPIRED,
      });
      if (moved.ok) expired++;
    }
    if (due.length < PAGE) break;
  }
  if (expired > 0)
    deps.logger.warn({ expired }, 'payouts not approved in time were cancelled (approval_expired)');
  return expired;
}

/** How often expiry is looked for: often enough that a payout expires within a tenth of its time. */
export const approvalCheckEveryMs = (timeoutMs: number) =>
  Math.min(60_000, Math.max(500, Math.floor(timeoutMs / 10)));
