import type { Redis } from 'ioredis';
import { isTerminal, PAYOUT_STATES, type PayoutState } from '../../src/payout/states.js';
import type { SandboxRecord } from '../../src/sandbox/index.js';
import { ROLE_END } from './approvals.js';
import { evaluateControls } from './controls-accounting.js';
import type { NotifyReceiver } from './notify-receiver.js';
import type { LogLine } from './processes.js';
import { type PlannedPayout, SCENARIOS } from './scenarios.js';
import type { ChaosReport } from './types.js';

/**
 * The chaos run's accounting: the states in Redis while it drains, then every payout against what
 * the gateway (the sandbox) holds and what the notification receiver got, and the invariants.
 */

/** Not settled yet: a payout awaiting approval is approved, declined or expires before the run drains. */
export const PENDING: readonly PayoutState[] = [
  'awaiting_approval',
  'queued',
  'sending',
  'retry_scheduled',
  'submitted',
];

export interface SubmitResult {
  accepted: boolean;
  /** The HTTP status of every POST for the payout (0: a network error). */
  answers: number[];
  /** When each of those answers came (epoch ms). */
  answeredAt: number[];
}

export async function stateSnapshot(redis: Redis, index: (s: PayoutState) => string) {
  const pipeline = redis.pipeline();
  for (const s of PAYOUT_STATES) {
    if (isTerminal(s)) pipeline.zrange(index(s), 0, -1);
    else pipeline.zcard(index(s));
  }
  const res = (await pipeline.exec()) ?? [];
  const counts: Record<string, number> = {};
  const terminal = new Map<string, PayoutState>();
  PAYOUT_STATES.forEach((s, i) => {
    const [err, value] = res[i] ?? [new Error('no reply'), null];
    if (err) throw err;
    if (isTerminal(s)) {
      const ids = value as string[];
      counts[s] = ids.length;
      for (const id of ids) terminal.set(id, s);
    } else counts[s] = Number(value);
  });
  return { counts, terminal };
}

export function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

/** The gateway's view of an external_id in one word, for the report. */
const gatewayWord = (r: SandboxRecord | undefined) =>
  !r?.order
    ? 'no order'
    : `order status ${r.order.status}${r.order.reason_code ? ` (${r.order.reason_code})` : ''}`;

export function account(input: {
  plan: PlannedPayout[];
  results: Map<string, SubmitResult>;
  views: Map<string, { status: number; body: any }>;
  received: Map<string, SandboxRecord>;
  receiver: NotifyReceiver;
  acceptedIds: string[];
  refusedIds: string[];
}): { results: ChaosReport['results']; notifications: Omit<ChaosReport['notifications'], 'outboxMax'> } {
  const { plan, views, received, receiver } = input;
  const lostIds: ChaosReport['results']['lostIds'] = [];
  const sentTwiceIds: ChaosReport['results']['sentTwiceIds'] = [];
  const wrongFinalStateIds: ChaosReport['results']['wrongFinalStateIds'] = [];
  const unexpectedForScenario: ChaosReport['results']['unexpectedForScenario'] = [];
  const byFinalState: Record<string, number> = {};
  const needsReviewReasons: Record<string, number> = {};
  const byScenario: Record<string, Record<string, number>> = {};
  for (const s of SCENARIOS) byScenario[s.name] = {};
  let bodyChanged = 0;
  let needsReviewWithGatewayOrder = 0;
  const passedThroughReview: Record<string, number> = {};
  const needsReviewIds: ChaosReport['results']['needsReviewIds'] = [];
  let retried = 0;
  let gatewayRequests = 0;
  let http429 = 0;
  let http503 = 0;
  let contradictions = 0;
  const missing: string[] = [];
  const perTerminal: number[] = [];
  let contradictionEvents = 0;
  const delays: { id: string; ms: number }[] = [];

  for (const p of plan) {
    const g = received.get(p.externalId);
    if (g) {
      gatewayRequests += g.requests;
      http429 += g.answers.filter((a) => a === 429).length;
      http503 += g.answers.filter((a) => a === 503).length;
      if (!g.sameBody) bodyChanged++;
      // 429/503 refusals create nothing (the scenario asked for them); every other request could
      // have created the payout, so more than one of those is a payout sent twice.
      const couldCreate = g.answers.filter((a) => a !== 429 && a !== 503).length;
      if (g.created > 1 || couldCreate > 1) {
        sentTwiceIds.push({ id: p.externalId, created: g.created, answers: g.answers });
      }
    }
    contradictionEvents += (receiver.byId.get(p.externalId) ?? []).filter(
      (x) => x.event === 'payout.contradiction',
    ).length;
    if (!input.results.get(p.externalId)?.accepted) continue;

    const view = views.get(p.externalId);
    if (view?.status !== 200) {
      lostIds.push({ id: p.externalId, why: `no record (GET answered ${view?.status ?? 'nothing'})` });
      continue;
    }
    const v = view.body as {
      status: PayoutState;
      reason: string | null;
      history?: { contradiction?: boolean; to?: string; reason?: string }[];
    };
    const state = v.status;
    byFinalState[state] = (byFinalState[state] ?? 0) + 1;
    const sc = byScenario[p.scenario.name]!;
    sc[state] = (sc[state] ?? 0) + 1;
    contradictions += (v.history ?? []).filter((h) => h.contradiction).length;
    const reviews = new Set(
      (v.history ?? []).filter((h) => h.to === 'needs_review').map((h) => h.reason ?? '(none)'),
    );
    for (const reason of reviews) passedThroughReview[reason] = (passedThroughReview[reason] ?? 0) + 1;
    if ((v.history ?? []).some((h) => h.to === 'retry_scheduled')) retried++;

    if (PENDING.includes(state)) {
      lostIds.push({ id: p.externalId, why: `stuck in ${state}${v.reason ? ` (${v.reason})` : ''}` });
      continue;
    }
    if (state === 'needs_review') {
      if (!v.reason) lostIds.push({ id: p.externalId, why: 'needs_review without a reason' });
      const reason = v.reason ?? '(none)';
      needsReviewReasons[reason] = (needsReviewReasons[reason] ?? 0) + 1;
      needsReviewIds.push({
        id: p.externalId,
        scenario: p.scenario.name,
        reason,
        gateway: gatewayWord(g),
        requests: g?.requests ?? 0,
      });
      const status = g?.order?.status;
      if (status === 4 || status === 5 || status === 6) needsReviewWithGatewayOrder++;
      continue;
    }

    // Terminal: it must agree with the gateway, and be notified with its terminal event.
    const order = g?.order;
    const agrees =
      state === 'succeeded'
        ? order?.status === 4
        : state === 'failed'
          ? order
            ? order.status === 5 || order.status === 6
            : v.reason === 'not_sent'
          : !order; // rejected, cancelled: nothing may exist at the gateway
    if (!agrees) wrongFinalStateIds.push({ id: p.externalId, state, gateway: gatewayWord(g) });
    // A declined or expired payout ends as its approval role says; an approved one as its scenario.
    const expected = (p.approval && ROLE_END[p.approval.role]?.state) ?? p.scenario.expected;
    if (expected !== state) {
      unexpectedForScenario.push({ id: p.externalId, scenario: p.scenario.name, state });
    }
    const got = receiver.byId.get(p.externalId) ?? [];
    perTerminal.push(got.length);
    const terminalNote = got.find((x) => x.event === `payout.${state}`);
    if (!terminalNote) missing.push(p.externalId);
    else delays.push({ id: p.externalId, ms: terminalNote.at - Date.parse(String(view.body.updated_at)) });
  }

  const refusedReachedGateway = input.refusedIds.filter((id) => received.has(id));
  const terminalPayouts = perTerminal.length;
  return {
    results: {
      lost: lostIds.length,
      lostIds: lostIds.slice(0, 100),
      sentTwice: sentTwiceIds.length,
      sentTwiceIds: sentTwiceIds.slice(0, 100),
      bodyChanged,
      byFinalState,
      needsReview: byFinalState.needs_review ?? 0,
      needsReviewReasons,
      wrongFinalState: wrongFinalStateIds.length,
      wrongFinalStateIds: wrongFinalStateIds.slice(0, 100),
      needsReviewWithGatewayOrder,
      needsReviewIds: needsReviewIds.slice(0, 100),
      passedThroughReview,
      retried,
      byScenario,
      unexpectedForScenario: unexpectedForScenario.slice(0, 100),
      gatewayRequests,
      gatewayRefusals: { http429, http503 },
      contradictions,
      refusedReachedGateway,
    },
    notifications: {
      terminalPayouts,
      notifiedWithTerminalEvent: terminalPayouts - missing.length,
      missing: missing.slice(0, 100),
      deliveries: receiver.stats.delivered,
      perTerminalPayout: {
        min: terminalPayouts ? Math.min(...perTerminal) : 0,
        avg: terminalPayouts
          ? Number((perTerminal.reduce((a, b) => a + b, 0) / terminalPayouts).toFixed(2))
          : 0,
        max: terminalPayouts ? Math.max(...perTerminal) : 0,
      },
      badSignature: receiver.stats.badSignature,
      refusedOnPurpose: receiver.stats.refusedOnPurpose,
      repeats: receiver.stats.repeats,
      contradictionEvents,
      terminalDelayMs: (() => {
        const sorted = [...delays].sort((a, b) => a.ms - b.ms);
        const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]?.ms ?? 0;
        return {
          p50: q(0.5),
          p99: q(0.99),
          max: sorted.at(-1)?.ms ?? 0,
          slowest: sorted.slice(-5).reverse(),
        };
      })(),
    },
  };
}

/** warn/error lines of the processes and the sandbox, grouped by message. */
export function warnings(lines: readonly LogLine[]): ChaosReport['logs']['warnings'] {
  const counts = new Map<string, { level: string; msg: string; count: number }>();
  for (const line of lines) {
    let level = '';
    let msg = '';
    try {
      const parsed = JSON.parse(line.text) as { level?: number; msg?: string };
      if ((parsed.level ?? 0) < 40) continue;
      level = (parsed.level ?? 0) >= 50 ? 'error' : 'warn';
      msg = String(parsed.msg ?? '');
    } catch {
      // not JSON: stderr text (a stack trace, a warning from Node): kept as it is
      if (line.stream !== 'stderr') continue;
      level = 'stderr';
      msg = line.text.slice(0, 200);
    }
    const key = `${line.source.replace(/[-\d#]+$/, '')}|${level}|${msg}`;
    const entry = counts.get(key) ?? {
      level,
      msg: `${line.source.replace(/[-\d#]+$/, '')}: ${msg}`,
      count: 0,
    };
    entry.count++;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count).slice(0, 30);
}

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
