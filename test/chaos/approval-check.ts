import { ROLE_END } from './approvals.js';
import { type ControlsPayout, type ControlsReport, iso, type ViewEntry } from './controls-report.js';

/** Not sent while unapproved (controls-accounting.ts states it), payout by payout. */

/** The approval invariants of one payout; returns when it was released to be sent, if it was held. */
export function checkApproval(
  p: ControlsPayout,
  history: ViewEntry[],
  arrivals: readonly number[],
  report: ControlsReport,
): number | undefined {
  const view = p.view!;
  const a = report.approvals;
  const held = history.some((h) => h.to === 'awaiting_approval');
  if (held !== (p.approval !== undefined)) {
    a.notAsPlanned.push({ id: p.id, why: held ? 'held without a planned role' : 'planned but not held' });
  }
  if (!held) return undefined;
  a.held++;
  const violation = (why: string) => report.sentWhileUnapproved.push({ id: p.id, why });
  const release = history.find((h) => h.event === 'approve' && h.to === 'queued');
  const approvers = history.filter((h) => h.event === 'approve').map((h) => h.who ?? '');
  if (!release) {
    if (arrivals.length > 0)
      violation(`${arrivals.length} gateway request(s), never approved (it is ${view.status})`);
    const claimed = history.find((h) => h.event === 'claim');
    if (claimed) violation(`claimed at ${claimed.at}, never approved`);
  } else {
    const releasedAt = Date.parse(release.at);
    if (arrivals[0] !== undefined) {
      const gap = arrivals[0] - releasedAt;
      const seen = report.evidence.approvalToGatewayMs;
      report.evidence.approvalToGatewayMs = seen
        ? { min: Math.min(seen.min, gap), max: Math.max(seen.max, gap) }
        : { min: gap, max: gap };
    }
    for (const t of arrivals) {
      if (t < releasedAt) violation(`gateway request at ${iso(t)}, before the approval at ${release.at}`);
    }
    for (const h of history) {
      if (h.event === 'claim' && h.seq < release.seq)
        violation(`claimed (entry ${h.seq}) before the approval (entry ${release.seq})`);
    }
    const needed = view.approvals?.needed ?? p.approval?.needed ?? 1;
    if (new Set(approvers).size !== approvers.length)
      violation(`approved twice by the same approver: ${approvers.join(', ')}`);
    if (approvers.length < needed) violation(`queued with ${approvers.length} of ${needed} approvals`);
    a.approved++;
    if (approvers.length >= 2) a.fourEyes++;
  }
  if (view.status === 'rejected' && view.reason === 'declined_by_operator') a.declined++;
  if (view.status === 'cancelled' && view.reason === 'approval_expired') a.expired++;
  const role = p.approval?.role;
  const end = role ? ROLE_END[role] : undefined;
  const asPlanned = end ? view.status === end.state && view.reason === end.reason : release !== undefined;
  if (role && !asPlanned) a.unexpectedEnds.push({ id: p.id, role, state: view.status, reason: view.reason });
  return release ? Date.parse(release.at) : undefined;
}
