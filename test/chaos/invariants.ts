import { evaluateControls } from './controls-accounting.js';
import type { ChaosReport } from './types.js';

/** The invariants; each one that fails is one line. */
export function evaluate(r: ChaosReport): string[] {
  const f: string[] = [];
  if (r.submission.accepted !== r.run.payouts)
    f.push(`${r.run.payouts - r.submission.accepted} payouts were never accepted by the API`);
  if (r.results.lost > 0)
    f.push(`${r.results.lost} payouts lost: ${JSON.stringify(r.results.lostIds.slice(0, 5))}`);
  if (r.results.sentTwice > 0)
    f.push(
      `${r.results.sentTwice} payouts sent twice: ${JSON.stringify(r.results.sentTwiceIds.slice(0, 5))}`,
    );
  if (r.results.bodyChanged > 0)
    f.push(`${r.results.bodyChanged} payouts were sent with another body on a retry`);
  if (r.results.wrongFinalState > 0)
    f.push(
      `${r.results.wrongFinalState} payouts end in a state the gateway contradicts: ${JSON.stringify(r.results.wrongFinalStateIds.slice(0, 5))}`,
    );
  if (r.results.liveHoldersTakenForLost.length > 0)
    f.push(
      `${r.results.liveHoldersTakenForLost.length} payouts went to needs_review as worker_lost_mid_send, then their holder answered: ${JSON.stringify(r.results.liveHoldersTakenForLost.slice(0, 5))}`,
    );
  if (r.results.refusedReachedGateway.length > 0)
    f.push(`refused requests reached the gateway: ${r.results.refusedReachedGateway.join(', ')}`);
  if (r.notifications.missing.length > 0)
    f.push(
      `${r.notifications.terminalPayouts - r.notifications.notifiedWithTerminalEvent} terminal payouts were never notified with their terminal event`,
    );
  if (r.notifications.badSignature > 0)
    f.push(`${r.notifications.badSignature} notifications had a bad signature`);
  if (!r.timing.drained) f.push('the system did not drain before the deadline');
  if (r.chaos.errors.length > 0) f.push(`the chaos itself failed: ${r.chaos.errors.join('; ')}`);
  if (r.chaos.unexpectedExits.length > 0)
    f.push(`processes exited by themselves: ${r.chaos.unexpectedExits.map((e) => e.name).join(', ')}`);
  if (r.submission.cvvPayoutAnswers.some((s) => s !== 422))
    f.push(`a payout carrying a cvv was answered ${r.submission.cvvPayoutAnswers.join(', ')} instead of 422`);
  if (r.controls) f.push(...evaluateControls(r.controls, r.run.pauseWindows ?? 0));
  if (r.security) {
    const s = r.security;
    if (s.hits > 0)
      f.push(
        `${s.hits} secret(s) found: ${s.hitList
          .slice(0, 5)
          .map((h) => `${h.secret} in ${h.source}`)
          .join('; ')}`,
      );
    if (s.doorFailures.length > 0)
      f.push(
        `doors open without valid credentials: ${s.doorFailures.map((d) => `${d.door} [${d.credentials}] -> ${d.status}`).join('; ')}`,
      );
    if (!s.unauthenticatedPostCreatedNothing) f.push('a POST without credentials created a payout');
    if (s.metricsStatus !== 200) f.push(`/metrics answered ${s.metricsStatus}`);
    if (s.redis.outsidePrefix.length > 0)
      f.push(`Redis keys outside the deployment prefix: ${s.redis.outsidePrefix.join(', ')}`);
  }
  return f;
}
