import type { FastifyInstance } from 'fastify';
import { type ApprovalPlan, type ApprovalRole, ROLE_END } from './approvals.js';

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
 */

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

/**
 * Keeps the arrival time of every payout create request the sandbox receives, by external_id, before
 * the sandbox decides anything about it. Must be called before the sandbox listens.
 */
export function recordGatewayArrivals(app: FastifyInstance): Map<string, number[]> {
  const arrivals = new Map<string, number[]>();
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'POST' || !request.url.startsWith('/v2/payment/payout')) return;
    const body = request.body as { external_id?: unknown } | undefined;
    if (typeof body?.external_id !== 'string') return;
    const list = arrivals.get(body.external_id) ?? [];
    list.push(Date.now());
    arrivals.set(body.external_id, list);
  });
  return arrivals;
}

const streamTime = (id: string) => Number(id.split('-')[0]);

/** The pause windows the audit log records, oldest first; a resume of `*` ends every pause. */
export function pauseWindowsFromAudit(entries: readonly AuditRow[]): PauseWindow[] {
  const ordered = [...entries].sort((a, b) => streamTime(a.id) - streamTime(b.id));
  const open = new Map<string, PauseWindow>();
  const windows: PauseWindow[] = [];
  for (const e of ordered) {
    if (e.action === 'controls.pause' && !open.has(e.target)) {
      const w = { system: e.target, from: streamTime(e.id), to: Number.POSITIVE_INFINITY };
      open.set(e.target, w);
      windows.push(w);
    } else if (e.action === 'controls.resume') {
      for (const [system, w] of open) {
        if (e.target === '*' || e.target === system) {
          w.to = streamTime(e.id);
          open.delete(system);
        }
      }
    }
  }
  return windows;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function checkControls(input: {
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
}): ControlsReport {
  let arrivalsRecorded = 0;
  for (const p of input.payouts) arrivalsRecorded += input.arrivals.get(p.id)?.length ?? 0;
  const report: ControlsReport = {
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

/** The approval invariants of one payout; returns when it was released to be sent, if it was held. */
function checkApproval(
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

/** The pause invariants of one payout, and what the windows did to it. */
function checkPauses(
  p: ControlsPayout,
  history: ViewEntry[],
  arrivals: readonly number[],
  releasedAt: number | undefined,
  input: { windows: readonly PauseWindow[]; slackMs: number },
  report: ControlsReport,
): void {
  const windows = input.windows.filter((w) => w.system === p.paymentSystem || w.system === '*');
  if (windows.length === 0) return;
  const claims = history.filter((h) => h.event === 'claim').map((h) => Date.parse(h.at));
  const inside = (t: number) => windows.find((w) => t >= w.from && t < w.to - input.slackMs);
  const describe = (w: PauseWindow) =>
    `${w.system} paused ${iso(w.from)} to ${Number.isFinite(w.to) ? iso(w.to) : 'the end'}`;
  for (const c of claims) {
    const w = inside(c);
    if (w) report.sentWhilePaused.push({ id: p.id, why: `claimed at ${iso(c)} while ${describe(w)}` });
  }
  for (const t of arrivals) {
    const w = inside(t);
    if (!w) continue;
    const claimedAt = Math.max(...claims.filter((c) => c <= t));
    if (claimedAt >= w.from || !Number.isFinite(claimedAt)) {
      const claimed = Number.isFinite(claimedAt) ? `claimed at ${iso(claimedAt)}` : 'no claim before it';
      report.sentWhilePaused.push({
        id: p.id,
        why: `gateway request at ${iso(t)} (${claimed}) while ${describe(w)}`,
      });
    } else report.pause.inFlightArrivals++;
  }
  // Waiting to be sent when a window ended (created, and released if it was held, before the end;
  // its first claim after it): the payouts the pause held back.
  const readyAt = releasedAt ?? Date.parse(p.view!.created_at);
  const firstClaim = claims[0];
  if (
    firstClaim !== undefined &&
    windows.some((w) => Number.isFinite(w.to) && readyAt < w.to && firstClaim >= w.to)
  )
    report.pause.heldThrough++;
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
