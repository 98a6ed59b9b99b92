import { APPROVAL_RULES, approverOperators, planApprovals } from './approvals.js';
import { type Approvers, type OperatorCall, operatorCall, startApprovers } from './approvers.js';
import {
  type AuditRow,
  type ControlsPayout,
  type ControlsReport,
  checkControls,
  pauseWindowsFromAudit,
} from './controls-accounting.js';
import { type PauseWindowPlan, runPauseWindows } from './pause-windows.js';
import { sleep } from './run-context.js';
import { type PlannedPayout, SCENARIOS } from './scenarios.js';
import type { RunSecrets } from './secrets.js';

/**
 * The operator controls' part of a chaos run (issue 15), in the order the run calls it (run-chaos.ts,
 * run-plan.ts): `controlsSettings` before the processes start, `planControls` with the plan,
 * `startControls` once the API answers (the rules set, the approvers and the pause windows at work),
 * then `finish` and `account` after the drain.
 */

/** Claims stamped in the last moments of a pause window are not held against it (see checkControls). */
const WINDOW_END_SLACK_MS = 250;

/** OPERATORS (two approvers) and APPROVAL_TIMEOUT_MS for the processes. */
export async function controlsSettings(secrets: RunSecrets, approvalTimeoutMs: number) {
  const { approvers, operatorsSetting } = await approverOperators(secrets.operatorSecrets);
  return {
    approvers,
    env: { OPERATORS: operatorsSetting, APPROVAL_TIMEOUT_MS: String(approvalTimeoutMs) },
  };
}

/** Marks a share of the plan for approval (the first payout of each scenario left as it is). */
export function planControls(plan: PlannedPayout[], random: () => number, share: number): void {
  planApprovals(plan, random, { share, firstIndex: SCENARIOS.length });
}

export interface ControlsOptions {
  api: string;
  apiKey: string;
  admin: { name: string; secret: string };
  approvers: Awaited<ReturnType<typeof controlsSettings>>['approvers'];
  windows: readonly PauseWindowPlan[];
  random: () => number;
  acceptedShare: () => number;
  event: (what: string) => void;
  isClosed: () => boolean;
}

export async function startControls(opts: ControlsOptions) {
  const call = operatorCall(opts.api);
  const adminAuthorization = `Basic ${Buffer.from(`${opts.admin.name}:${opts.admin.secret}`).toString('base64')}`;
  await setApprovalRules(call, adminAuthorization, opts.event);
  const approvers = startApprovers({
    call,
    approvers: opts.approvers,
    apiKey: opts.apiKey,
    random: opts.random,
    isClosed: opts.isClosed,
  });
  const pauses = runPauseWindows({
    call,
    adminAuthorization,
    windows: opts.windows,
    acceptedShare: opts.acceptedShare,
    event: opts.event,
    isClosed: opts.isClosed,
  }).catch((err: unknown) => [`pause windows: ${String(err)}`]);

  let pauseErrors: string[] = [];
  return {
    decide: approvers.decide,
    /** Every decision made and every window closed (call before waiting for the drain). */
    async finish(): Promise<void> {
      await approvers.settled();
      pauseErrors = await pauses;
    },
    /** The controls' accounting, from the payouts' views, the gateway's arrivals and the audit log. */
    account: (input: ControlsAccountInput): Promise<ControlsReport> =>
      accountControls(
        input,
        approvers,
        () => readAuditRows(call, adminAuthorization),
        () => pauseErrors,
      ),
  };
}

async function setApprovalRules(
  call: OperatorCall,
  adminAuthorization: string,
  event: (what: string) => void,
): Promise<void> {
  const rules = await call(
    'PUT',
    '/v1/controls/approval-rules',
    { rules: APPROVAL_RULES, note: 'chaos: approval thresholds' },
    adminAuthorization,
  );
  if (rules.status !== 200) {
    throw new Error(`setting the approval rules answered ${rules.status}: ${JSON.stringify(rules.body)}`);
  }
  event(
    `approval rules set: ${APPROVAL_RULES.map((r) => `${r.min_amount} ${r.currency} x${r.approvals}`).join(', ')}`,
  );
}

/** The audit log's pause and resume entries, every page. */
async function readAuditRows(call: OperatorCall, adminAuthorization: string): Promise<AuditRow[]> {
  const rows: AuditRow[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1_000; pages++) {
    const res = await call(
      'GET',
      `/v1/audit?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
      undefined,
      adminAuthorization,
    );
    if (res.status !== 200) {
      if (res.status === 0 || res.status >= 500) {
        await sleep(200);
        continue;
      }
      throw new Error(`GET /v1/audit answered ${res.status}`);
    }
    for (const e of res.body.entries as AuditRow[]) {
      if (e.action === 'controls.pause' || e.action === 'controls.resume') rows.push(e);
    }
    cursor = res.body.next_cursor;
    if (!cursor) break;
  }
  return rows;
}

export interface ControlsAccountInput {
  plan: readonly PlannedPayout[];
  views: ReadonlyMap<string, { status: number; body: any }>;
  arrivals: ReadonlyMap<string, readonly number[]>;
  gatewayCounted: number;
}

async function accountControls(
  input: ControlsAccountInput,
  approvers: Approvers,
  auditRows: () => Promise<AuditRow[]>,
  pauseErrors: () => string[],
): Promise<ControlsReport> {
  const payouts: ControlsPayout[] = input.plan.map((p) => {
    const view = input.views.get(p.externalId);
    return {
      id: p.externalId,
      paymentSystem: String(p.body.payment_system),
      approval: p.approval,
      view: view?.status === 200 ? view.body : undefined,
    };
  });
  return checkControls({
    payouts,
    arrivals: input.arrivals,
    windows: pauseWindowsFromAudit(await auditRows()),
    sameApprover: approvers.sameApprover,
    approverErrors: approvers.errors,
    pauseErrors: pauseErrors(),
    gatewayCounted: input.gatewayCounted,
    slackMs: WINDOW_END_SLACK_MS,
  });
}
