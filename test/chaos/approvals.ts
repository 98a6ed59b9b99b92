import { hashSecret } from '../../src/operators/secret-hash.js';
import type { PlannedPayout } from './scenarios.js';

/**
 * Approvals in the chaos mix (issue 15): approval rules set through the admin API at the start, a share
 * of the payouts planned above their thresholds, and two approver operators who approve (one, or both
 * for four eyes), decline, or leave them to expire, through the HTTP API while workers are killed and
 * Redis restarts. What must hold is checked in controls-accounting.ts.
 */

/** What the approvers do with a payout held for approval. */
export type ApprovalRole =
  /** One approval queues it. */
  | 'approve'
  /** Four eyes: the first approver, the same one again (refused), then the second. */
  | 'four_eyes'
  /** Four eyes, one approval given, then nobody: it expires all the same. */
  | 'four_eyes_expire'
  /** Declined: rejected (declined_by_operator). */
  | 'decline'
  /** Nobody acts: cancelled (approval_expired). */
  | 'expire';

export interface ApprovalPlan {
  role: ApprovalRole;
  /** Approvals the rules ask for at the planned amount. */
  needed: 1 | 2;
}

/** The rules: USD from 10,000.00 waits for one approver, from 20,000.00 for two. */
export const APPROVAL_RULES = [
  { currency: 'USD', min_amount: 1_000_000, approvals: 1 },
  { currency: 'USD', min_amount: 2_000_000, approvals: 2 },
] as const;

const ROLE_WEIGHTS: readonly [ApprovalRole, number][] = [
  ['approve', 4],
  ['four_eyes', 3],
  ['four_eyes_expire', 1],
  ['decline', 2],
  ['expire', 2],
];
const NEEDED: Record<ApprovalRole, 1 | 2> = {
  approve: 1,
  four_eyes: 2,
  four_eyes_expire: 2,
  decline: 1,
  expire: 1,
};

/** The end each role asks for, where it decides the end (else the scenario does). */
export const ROLE_END: Partial<Record<ApprovalRole, { state: string; reason: string }>> = {
  decline: { state: 'rejected', reason: 'declined_by_operator' },
  expire: { state: 'cancelled', reason: 'approval_expired' },
  four_eyes_expire: { state: 'cancelled', reason: 'approval_expired' },
};

function pickRole(random: () => number): ApprovalRole {
  const total = ROLE_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  let r = random() * total;
  for (const [role, w] of ROLE_WEIGHTS) {
    r -= w;
    if (r < 0) return role;
  }
  return 'approve';
}

/**
 * Marks about `share` of the payouts for approval and raises their amount over the rule that asks for
 * what the role needs (the plan's other amounts stay under every threshold). Each role is given at
 * least once when there are enough payouts past the first of each scenario, which stay as they are.
 */
export function planApprovals(
  plan: PlannedPayout[],
  random: () => number,
  opts: { share: number; firstIndex: number },
): void {
  let forced = 0;
  for (const p of plan) {
    if (p.index < opts.firstIndex) continue;
    const role =
      forced < ROLE_WEIGHTS.length
        ? ROLE_WEIGHTS[forced++]![0]
        : random() < opts.share
          ? pickRole(random)
          : undefined;
    if (!role) continue;
    const needed = NEEDED[role];
    const base = needed === 2 ? APPROVAL_RULES[1].min_amount : APPROVAL_RULES[0].min_amount;
    // One approver's band stays under the four-eyes threshold.
    p.body.amount = base + Math.floor(random() * (needed === 2 ? 1_000_000 : 900_000));
    p.approval = { role, needed };
  }
}

export interface ApproverLogin {
  name: string;
  secret: string;
}

/** Two approver accounts for the run, as the OPERATORS setting holds them (hashed). */
export async function approverOperators(secrets: string[]): Promise<{
  approvers: [ApproverLogin, ApproverLogin];
  operatorsSetting: string;
}> {
  const approvers: [ApproverLogin, ApproverLogin] = [
    { name: 'approver-ana', secret: secrets[0]! },
    { name: 'approver-ben', secret: secrets[1]! },
  ];
  const entries = await Promise.all(
    approvers.map(async (a) => `${a.name}:approver:${await hashSecret(a.secret)}`),
  );
  return { approvers, operatorsSetting: entries.join(',') };
}

export const basicAuth = (login: ApproverLogin) =>
  `Basic ${Buffer.from(`${login.name}:${login.secret}`).toString('base64')}`;
