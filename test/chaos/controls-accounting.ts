import { checkApproval } from './approval-check.js';
import { type ControlsPayout, type ControlsReport, iso, type PauseWindow } from './controls-report.js';
import { checkPauses } from './pause-check.js';

export type { AuditRow, ControlsPayout, ControlsReport, PauseWindow, ViewEntry } from './controls-report.js';
export { recordGatewayArrivals } from './gateway-arrivals.js';
export { pauseWindowsFromAudit } from './pause-check.js';

/**
 * The operator controls' invariants of a chaos run (issue 15), from evidence the system does not
 * write itself: the gateway's own arrival times (a hook in the sandbox), set against each payout's
 * history and the audit log's pause and resume entries.
 *
 * - Not sent while unapproved: a payout created `awaiting_approval` reaches the gateway only after the
 *   history entry that queued it (the approval that completed its approvals, each by another
 *   approver), and is never claimed before it; a declined or expired one never reaches it.
 * - Not sent while paused: no claim of a paused payment_system's payout between the pause and the
 *   resume, and every gateway request arriving in that window belongs to an attempt claimed before
 *   the pause (in flight when it came).
 *
 * Each in a file of its own (approval-check.ts, pause-check.ts), over the shapes of controls-report.ts;
 * the evidence from the gateway in gateway-arrivals.ts.
 */

export interface ControlsInput {
  payouts: readonly ControlsPayout[];
  arrivals: ReadonlyMap<string, readonly number[]>;
  windows: readonly PauseWindow[];
  sameApprover: readonly { id: string; status: number }[];
  approverErrors?: readonly string[];
  pauseErrors?: readonly string[];
  /** The sandbox's own count of the payout requests it received for these payouts. */
  gatewayCounted?: number;
  /**
   * A claim timestamps itself before its script runs: one stamped just before a resume may run just
   * after it. The last `slackMs` of a window are not held against a claim.
   */
  slackMs: number;
}

export function checkControls(input: ControlsInput): ControlsReport {
  const report = newControlsReport(input);
  for (const p of input.payouts) {
    if (p.approval) {
      const planned = report.approvals.planned;
      planned[p.approval.role] = (planned[p.approval.role] ?? 0) + 1;
    }
    if (!p.view) continue;
    const history = [...p.view.history].sort((a, b) => a.seq - b.seq);
    const arrivals = input.arrivals.get(p.id) ?? [];
    const releasedAt = checkApproval(p, history, arrivals, report);
    checkPauses(p, history, arrivals, releasedAt, input, report);
  }
  return report;
}

/** The report before any payout is read: the evidence's count, the approvers' and windows' own. */
function newControlsReport(input: ControlsInput): ControlsReport {
  let arrivalsRecorded = 0;
  for (const p of input.payouts) arrivalsRecorded += input.arrivals.get(p.id)?.length ?? 0;
  return {
    evidence: {
      arrivalsRecorded,
      gatewayCounted: input.gatewayCounted ?? arrivalsRecorded,
      approvalToGatewayMs: null,
    },
    approvals: {
      planned: {},
      held: 0,
      approved: 0,
      fourEyes: 0,
      declined: 0,
      expired: 0,
      unexpectedEnds: [],
      notAsPlanned: [],
      sameApproverTwice: {
        tried: input.sameApprover.length,
        refused: input.sameApprover.filter((a) => a.status === 409).length,
        accepted: input.sameApprover.filter((a) => a.status >= 200 && a.status < 300).map((a) => a.id),
      },
      errors: [...(input.approverErrors ?? [])],
    },
    sentWhileUnapproved: [],
    pause: {
      windows: input.windows.map((w) => ({
        system: w.system,
        from: iso(w.from),
        to: Number.isFinite(w.to) ? iso(w.to) : null,
        ms: Number.isFinite(w.to) ? w.to - w.from : null,
      })),
      heldThrough: 0,
      inFlightArrivals: 0,
      errors: [...(input.pauseErrors ?? [])],
    },
    sentWhilePaused: [],
  };
}

/** The controls' invariants that failed, one line each. */
export function evaluateControls(c: ControlsReport, plannedWindows: number): string[] {
  const f: string[] = [];
  if (c.evidence.arrivalsRecorded !== c.evidence.gatewayCounted)
    f.push(
      `the gateway counted ${c.evidence.gatewayCounted} payout request(s), ${c.evidence.arrivalsRecorded} arrival(s) recorded: the evidence is incomplete`,
    );
  if (c.sentWhileUnapproved.length > 0)
    f.push(
      `${c.sentWhileUnapproved.length} payout(s) sent while unapproved: ${JSON.stringify(c.sentWhileUnapproved.slice(0, 5))}`,
    );
  if (c.sentWhilePaused.length > 0)
    f.push(
      `${c.sentWhilePaused.length} payout(s) sent while paused: ${JSON.stringify(c.sentWhilePaused.slice(0, 5))}`,
    );
  const twice = c.approvals.sameApproverTwice;
  if (twice.accepted.length > 0)
    f.push(`the same approver approved twice and was accepted: ${twice.accepted.slice(0, 5).join(', ')}`);
  if (c.approvals.notAsPlanned.length > 0)
    f.push(
      `${c.approvals.notAsPlanned.length} payout(s) not held as the approval rules say: ${JSON.stringify(c.approvals.notAsPlanned.slice(0, 5))}`,
    );
  if (c.approvals.errors.length > 0)
    f.push(`approvers' calls failed: ${c.approvals.errors.slice(0, 5).join('; ')}`);
  if (c.pause.errors.length > 0) f.push(`pause windows failed: ${c.pause.errors.join('; ')}`);
  const closed = c.pause.windows.filter((w) => w.to !== null).length;
  if (closed < plannedWindows)
    f.push(`${plannedWindows} pause window(s) planned, ${closed} paused and resumed in the audit log`);
  return f;
}
