import { type ApproverLogin, basicAuth } from './approvals.js';
import { sleep } from './run-context.js';
import type { PlannedPayout } from './scenarios.js';

/**
 * The run's approvers at work: once a payout planned for approval is accepted, they act on it through
 * the HTTP API as its role says, a moment later, while the chaos goes on. A call that got no answer or
 * a 5xx is tried again; a 409 after such a try is checked against the payout (the first call may have
 * landed). For four eyes, the first approver also approves a second time: that must be refused.
 */

export type OperatorCall = (
  method: string,
  path: string,
  body: unknown,
  authorization: string,
) => Promise<{ status: number; body: any }>;

/** One HTTP call to the API; status 0 when no answer came. */
export const operatorCall =
  (api: string): OperatorCall =>
  async (method, path, body, authorization) => {
    try {
      const res = await fetch(`${api}${path}`, {
        method,
        headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      return { status: res.status, body: parsed };
    } catch {
      return { status: 0, body: null };
    }
  };

const unanswered = (status: number) => status === 0 || status >= 500;

export interface Approvers {
  /** Acts on an accepted payout as its plan says (nothing for one without an approval role). */
  decide(p: PlannedPayout): void;
  /** Waits for every decision under way. */
  settled(): Promise<void>;
  /** Answers to an approver approving a payout they had approved already. */
  readonly sameApprover: { id: string; status: number }[];
  /** Calls that did not do what the run meant (a 401, a 422, no answer for a minute). */
  readonly errors: string[];
}

export interface ApproversOptions {
  call: OperatorCall;
  approvers: [ApproverLogin, ApproverLogin];
  /** The integration key, to read a payout back. */
  apiKey: string;
  random: () => number;
  isClosed: () => boolean;
}

export function startApprovers(opts: ApproversOptions): Approvers {
  const desk: Desk = { opts, sameApprover: [], errors: [], turn: 0 };
  const pending = new Set<Promise<void>>();
  return {
    decide(p) {
      if (!p.approval) return;
      const task = actAsPlanned(desk, p).catch((err: unknown) => {
        desk.errors.push(`${p.externalId}: ${err instanceof Error ? err.message : String(err)}`);
      });
      pending.add(task);
      void task.finally(() => pending.delete(task));
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    sameApprover: desk.sameApprover,
    errors: desk.errors,
  };
}

/** What the approvers share: their options, what they found, and whose turn it is to go first. */
interface Desk {
  opts: ApproversOptions;
  sameApprover: { id: string; status: number }[];
  errors: string[];
  turn: number;
}

/** A payout's status and the approvers who approved it so far; undefined when it cannot be read. */
async function given(d: Desk, id: string): Promise<{ status: string; given: string[] } | undefined> {
  const res = await d.opts.call('GET', `/v1/payouts/${id}`, undefined, `Bearer ${d.opts.apiKey}`);
  return res.status === 200 ? { status: res.body.status, given: res.body.approvals?.given ?? [] } : undefined;
}

/**
 * One approval or decline, tried until answered: 'done' when it took effect (by this call or by an
 * earlier one whose answer was lost), else the refusal's status.
 */
async function act(
  d: Desk,
  id: string,
  action: 'approve' | 'decline',
  by: ApproverLogin,
  note: string,
): Promise<'done' | number> {
  const deadline = Date.now() + 60_000;
  let retried = false;
  for (let attempt = 0; ; attempt++) {
    if (d.opts.isClosed()) return 0;
    const res = await d.opts.call('POST', `/v1/payouts/${id}/${action}`, { note }, basicAuth(by));
    if (res.status === 200) return 'done';
    if (unanswered(res.status) && Date.now() < deadline) {
      retried = true;
      await sleep(Math.min(100 * 2 ** attempt, 1_000));
      continue;
    }
    if (res.status === 409 && retried) {
      const now = await given(d, id);
      if (action === 'approve' && now?.given.includes(by.name)) return 'done';
      if (action === 'decline' && now?.status === 'rejected') return 'done';
    }
    if (res.status !== 409) d.errors.push(`${action} ${id} by ${by.name}: ${res.status}`);
    return res.status;
  }
}

/** What the payout's role asks, a moment after it was accepted; the approvers take turns going first. */
async function actAsPlanned(d: Desk, p: PlannedPayout): Promise<void> {
  const role = p.approval!.role;
  const first = d.opts.approvers[d.turn % 2]!;
  const second = d.opts.approvers[(d.turn + 1) % 2]!;
  d.turn++;
  await sleep(150 + d.opts.random() * 850);
  switch (role) {
    case 'expire':
      return;
    case 'decline':
      await act(d, p.externalId, 'decline', first, 'chaos: declined, as planned');
      return;
    case 'approve':
      await act(d, p.externalId, 'approve', first, 'chaos: documents checked');
      return;
    case 'four_eyes':
    case 'four_eyes_expire':
      await fourEyes(d, p.externalId, first, role === 'four_eyes' ? second : undefined);
      return;
  }
}

/** The first approval, the same approver again (it must be refused), then the second's (unless left to expire). */
async function fourEyes(d: Desk, id: string, first: ApproverLogin, second: ApproverLogin | undefined) {
  if ((await act(d, id, 'approve', first, 'chaos: first of two')) !== 'done') return;
  const again = await d.opts.call(
    'POST',
    `/v1/payouts/${id}/approve`,
    { note: 'chaos: the same approver again' },
    basicAuth(first),
  );
  if (!unanswered(again.status)) d.sameApprover.push({ id, status: again.status });
  if (!second) return;
  await sleep(150 + d.opts.random() * 650);
  await act(d, id, 'approve', second, 'chaos: second of two');
}
