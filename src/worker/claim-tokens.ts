import { randomUUID } from 'node:crypto';

/**
 * The tokens a worker claims payouts under, and the ones of claims left unanswered.
 *
 * A claim call can fail after its script ran (the connection cut before the answer came back): the
 * payout is then `sending` under a token no one acts on. The job's next try in this process claims
 * under that same token, and store.claim hands the claim back, with nothing sent under it, instead of
 * the payout going to review as if its holder had been lost mid-send.
 *
 * A remembered token is handed out once: `next` removes it, and only a claim call that lost its
 * connection puts one back (any other error came with an answer, and the claim is not taken back). So no two processings in this process hold the same token at once, even when a stalled job
 * is fetched again while its first run still waits on Redis; the second gets a fresh token, which
 * the claim refuses. Another process, or this one after a restart, never has the token: there the
 * payout goes to review, as for any holder lost mid-send.
 */
export function createClaimTokens(kept = 10_000) {
  const unanswered = new Map<string, string>();
  return {
    /** The token to claim `externalId` under: its unanswered one, handed out once, or a fresh one. */
    next(externalId: string): string {
      const token = unanswered.get(externalId);
      if (token === undefined) return randomUUID();
      unanswered.delete(externalId);
      return token;
    },
    /** A claim under `token` failed without an answer: its script may have run. */
    unanswered(externalId: string, token: string): void {
      unanswered.delete(externalId);
      unanswered.set(externalId, token);
      // The oldest go first; a payout whose token is dropped goes to review on its next try.
      if (unanswered.size > kept) {
        const oldest = unanswered.keys().next().value;
        if (oldest !== undefined) unanswered.delete(oldest);
      }
    },
  };
}
