import { type ApproverLogin, basicAuth } from './approvals.js';
import type { PlannedPayout } from './scenarios.js';

/**
 * The run's approvers at work: once a payout planned for approval is accepted, they act on it through
 * the HTTP API as its role says, a moment later, while the chaos goes on. A call that got no answer or
 * a 5xx is tried again; a 409 after such a try is checked against the payout (the first call may have
 * landed). For four eyes, the first approver also approves a second time: that must be refused.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

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

export function startApprovers(opts: {
  call: OperatorCall;
  approvers: [ApproverLogin, ApproverLogin];
  /** The integration key, to read a payout back. */
  apiKey: string;
  random: () => number;
  isClosed: () => boolean;
}): Approvers {
  const { call, random } = opts;
  const pending = new Set<Promise<void>>();
  const sameApprover: { id: string; status: number }[] = [];
  const errors: string[] = [];
  let turn = 0;

  const given = async (id: string): Promise<{ status: string; given: string[] } | undefined> => {
    const res = await call('GET', `/v1/payouts/${id}`, undefined, `Bearer ${opts.apiKey}`);
    return res.status === 200
      ? { status: res.body.status, given: res.body.approvals?.given ?? [] }
      : undefined;
  };

  /**
   * One approval or decline, tried until answered: 'done' when it took effect (by this call or by an
   * earlier one whose answer was lost), else the refusal's status.
   */
  const act = async (
    id: string,
    action: 'approve' | 'decline',
    by: ApproverLogin,
    note: string,
  ): Promise<'done' | number> => {
    const deadline = Date.now() + 60_000;
    let retried = false;
    for (let attempt = 0; ; attempt++) {
      if (opts.isClosed()) return 0;
      const res = await call('POST', `/v1/payouts/${id}/${action}`, { note }, basicAuth(by));
      if (res.status === 200) return 'done';
      if (unanswered(res.status) && Date.now() < deadline) {
        retried = true;
        await sleep(Math.min(100 * 2 ** attempt, 1_000));
        continue;
      }
      if (res.status === 409 && retried) {
        const now = await given(id);
        if (action === 'approve' && now?.given.includes(by.name)) return 'done';
        if (action === 'decline' && now?.status === 'rejected') return 'done';
      }
      if (res.status !== 409) errors.push(`${action} ${id} by ${by.name}: ${res.status}`);
      return res.status;
    }
  };

  const run = async (p: PlannedPayout) => {
    const role = p.approval!.role;
    const first = opts.approvers[turn % 2]!;
    const second = opts.approvers[(turn + 1) % 2]!;
    turn++;
    await sleep(150 + random() * 850);
    switch (role) {
      case 'expire':
        return;
      case 'decline':
        await act(p.externalId, 'decline', first, 'chaos: declined, as planned');
        return;
      case 'approve':
        await act(p.externalId, 'approve', first, 'chaos: documents checked');
        return;
      case 'four_eyes':
      case 'four_eyes_expire': {
        if ((await act(p.externalId, 'approve', first, 'chaos: first of two')) !== 'done') return;
        const again = await call(
          'POST',
          `/v1/payouts/${p.externalId}/approve`,
          { note: 'chaos: the same approver again' },
          basicAuth(first),
        );
        if (!unanswered(again.status)) sameApprover.push({ id: p.externalId, status: again.status });
        if (role === 'four_eyes_expire') return;
        await sleep(150 + random() * 650);
        await act(p.externalId, 'approve', second, 'chaos: second of two');
        return;
      }
    }
  };

  return {
    decide(p) {
      if (!p.approval) return;
      const task = run(p).catch((err: unknown) => {
        errors.push(`${p.externalId}: ${err instanceof Error ? err.message : String(err)}`);
      });
      pending.add(task);
      void task.finally(() => pending.delete(task));
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    sameApprover,
    errors,
  };
}
