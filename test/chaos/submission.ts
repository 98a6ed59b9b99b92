import type { SubmitResult } from './accounting.js';
import type { ApiClient } from './api-client.js';
import { type ChaosRun, sleep } from './run-context.js';
import type { PlannedPayout } from './scenarios.js';

/**
 * The payouts through the API's HTTP door, as a client would send them during the chaos: paced at
 * `submitRatePerSecond`, `submitConcurrency` at once, each POST that the API could not take (no
 * answer, 500, 502, 503) sent again, unchanged, for up to 90 s.
 */

export interface Submission {
  /** Each payout's POST answers, by external_id. */
  results: Map<string, SubmitResult>;
  /** Every POST answer by HTTP status (0 = network error). */
  postAnswers: Record<string, number>;
  accepted: number;
  /** The next payout of the plan to submit. */
  cursor: number;
  /** When the next POST may start (epoch ms). */
  nextSlot: number;
}

export const newSubmission = (): Submission => ({
  results: new Map(),
  postAnswers: {},
  accepted: 0,
  cursor: 0,
  nextSlot: Date.now(),
});

/** The share of the payouts accepted so far (1 once all are answered): what the pause windows start by. */
export const acceptedShare = (s: Submission, plan: readonly PlannedPayout[], n: number): number =>
  s.cursor >= plan.length && s.results.size >= plan.length ? 1 : s.accepted / n;

/** Submits the whole plan; `afterAnswer` runs after each payout's final answer. */
export async function submitPaced(
  run: ChaosRun,
  client: ApiClient,
  plan: readonly PlannedPayout[],
  s: Submission,
  afterAnswer: (p: PlannedPayout, r: SubmitResult) => void,
): Promise<{ lastPostAt: number; submitMs: number }> {
  const interval = 1000 / run.opt.submitRatePerSecond;
  const runner = async () => {
    while (s.cursor < plan.length) {
      const p = plan[s.cursor++]!;
      const slot = s.nextSlot;
      s.nextSlot = Math.max(s.nextSlot, Date.now()) + interval;
      await sleep(slot - Date.now());
      if (run.t0 === 0) {
        run.t0 = Date.now();
        run.event('first POST');
      }
      const r = await submitOne(run, client, p, s);
      s.results.set(p.externalId, r);
      if (r.accepted) s.accepted++;
      afterAnswer(p, r);
    }
  };
  await Promise.all(Array.from({ length: run.opt.submitConcurrency }, runner));
  const lastPostAt = Date.now();
  const submitMs = lastPostAt - run.t0;
  run.event(`all ${run.n} POSTs answered (${s.accepted} accepted)`);
  return { lastPostAt, submitMs };
}

async function submitOne(
  run: ChaosRun,
  client: ApiClient,
  p: PlannedPayout,
  s: Submission,
): Promise<SubmitResult> {
  const answers: number[] = [];
  const answeredAt: number[] = [];
  const deadline = Date.now() + 90_000;
  for (let attempt = 0; ; attempt++) {
    if (run.cleanup.closed) throw new Error('the chaos run was stopped from outside');
    let status = 0;
    try {
      status = (await client.post('/v1/payouts', p.body)).status;
    } catch {
      status = 0; // network error: the API process is the one part never restarted; still retried
    }
    answers.push(status);
    answeredAt.push(Date.now());
    s.postAnswers[status] = (s.postAnswers[status] ?? 0) + 1;
    if (status === 202 || status === 200) return { accepted: true, answers, answeredAt };
    if (![0, 500, 502, 503].includes(status) || Date.now() > deadline)
      return { accepted: false, answers, answeredAt };
    await sleep(Math.min(100 * 2 ** attempt, 1_000));
  }
}
