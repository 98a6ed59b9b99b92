import type { ApprovalPlan, ApprovalRole } from './approvals.js';

/** What the controls' accounting reads (a payout's view, the pause windows, the audit log) and what it reports. */

/** A payout's history entry, as the API shows it. */
export interface ViewEntry {
  seq: number;
  at: string;
  from?: string;
  to: string;
  event: string;
  who?: string;
}

export interface ControlsPayout {
  id: string;
  paymentSystem: string;
  approval?: ApprovalPlan | undefined;
  view?:
    | {
        status: string;
        reason: string | null;
        created_at: string;
        approvals?: { needed: number; given: string[] };
        history: ViewEntry[];
      }
    | undefined;
}

/** A pause in force from `from` to `to` (epoch ms; `to` Infinity: never resumed). */
export interface PauseWindow {
  system: string;
  from: number;
  to: number;
}

/** An audit log entry (GET /v1/audit): its stream id carries Redis's time of the change. */
export interface AuditRow {
  id: string;
  action: string;
  target: string;
}

export interface ControlsReport {
  /**
   * The evidence itself: payout requests whose arrival was recorded, against the sandbox's own count
   * (they must be equal), and how long after its approval a released payout first reached the gateway.
   */
  evidence: {
    arrivalsRecorded: number;
    gatewayCounted: number;
    approvalToGatewayMs: { min: number; max: number } | null;
  };
  approvals: {
    planned: Partial<Record<ApprovalRole, number>>;
    /** Created awaiting_approval. */
    held: number;
    /** Queued by an approval (one, or two for four eyes). */
    approved: number;
    fourEyes: number;
    declined: number;
    expired: number;
    /** Ended otherwise than its role asks (an approval that came too late, say): not a safety failure. */
    unexpectedEnds: { id: string; role: string; state: string; reason: string | null }[];
    /** Held without a role, or a role's payout not held: the rules are not what the run set. */
    notAsPlanned: { id: string; why: string }[];
    /** Answers to an approver approving the same payout a second time: every one must be refused. */
    sameApproverTwice: { tried: number; refused: number; accepted: string[] };
    /** The approvers' own calls that failed (a 401, a 422): the run did not do what it meant to. */
    errors: string[];
  };
  sentWhileUnapproved: { id: string; why: string }[];
  pause: {
    windows: { system: string; from: string; to: string | null; ms: number | null }[];
    /** Payouts that were waiting to be sent when a window ended, and were sent after it. */
    heldThrough: number;
    /** Gateway requests that arrived in a window from attempts claimed before it. */
    inFlightArrivals: number;
    errors: string[];
  };
  sentWhilePaused: { id: string; why: string }[];
}

/** A time as the report shows it. */
export const iso = (ms: number) => new Date(ms).toISOString();
