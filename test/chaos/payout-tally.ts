import type { PayoutState } from '../../src/payout/states.js';
import type { SandboxRecord } from '../../src/sandbox/index.js';
import type { SubmitResult } from './accounting.js';
import { ROLE_END } from './approvals.js';
import { type HistoryEntry, reviewsOfLiveHolders } from './lost-holders.js';
import type { NotifyReceiver } from './notify-receiver.js';
import { type PlannedPayout, SCENARIOS } from './scenarios.js';
import { PENDING } from './state-snapshot.js';
import type { ChaosReport } from './types.js';

/**
 * Every planned payout against what the gateway (the sandbox) holds for it, what the API shows of
 * it and what the notification receiver got, counted payout by payout in a tally; then the tally as
 * the report's results and notifications.
 */

export interface AccountInput {
  plan: PlannedPayout[];
  results: Map<string, SubmitResult>;
  views: Map<string, { status: number; body: any }>;
  received: Map<string, SandboxRecord>;
  receiver: NotifyReceiver;
  acceptedIds: string[];
  refusedIds: string[];
}

type Results = ChaosReport['results'];

export interface Tally {
  lostIds: Results['lostIds'];
  sentTwiceIds: Results['sentTwiceIds'];
  wrongFinalStateIds: Results['wrongFinalStateIds'];
  liveHoldersTakenForLost: Results['liveHoldersTakenForLost'];
  unexpectedForScenario: Results['unexpectedForScenario'];
  byFinalState: Record<string, number>;
  needsReviewReasons: Record<string, number>;
  byScenario: Record<string, Record<string, number>>;
  bodyChanged: number;
  needsReviewWithGatewayOrder: number;
  passedThroughReview: Record<string, number>;
  needsReviewIds: Results['needsReviewIds'];
  retried: number;
  gatewayRequests: number;
  http429: number;
  http503: number;
  contradictions: number;
  /** Terminal payouts without a notification of their terminal event. */
  missing: string[];
  /** Notifications received for each terminal payout. */
  perTerminal: number[];
  contradictionEvents: number;
  /** From each terminal change to its notification. */
  delays: { id: string; ms: number }[];
}

/** A payout as GET /v1/payouts/:id shows it. */
interface PayoutView {
  status: PayoutState;
  reason: string | null;
  history?: (HistoryEntry & { contradiction?: boolean })[];
  updated_at?: unknown;
}

export function newTally(): Tally {
  const byScenario: Record<string, Record<string, number>> = {};
  for (const s of SCENARIOS) byScenario[s.name] = {};
  return {
    lostIds: [],
    sentTwiceIds: [],
    wrongFinalStateIds: [],
    liveHoldersTakenForLost: [],
    unexpectedForScenario: [],
    byFinalState: {},
    needsReviewReasons: {},
    byScenario,
    bodyChanged: 0,
    needsReviewWithGatewayOrder: 0,
    passedThroughReview: {},
    needsReviewIds: [],
    retried: 0,
    gatewayRequests: 0,
    http429: 0,
    http503: 0,
    contradictions: 0,
    missing: [],
    perTerminal: [],
    contradictionEvents: 0,
    delays: [],
  };
}

/** The gateway's view of an external_id in one word, for the report. */
const gatewayWord = (r: SandboxRecord | undefined) =>
  !r?.order
    ? 'no order'
    : `order status ${r.order.status}${r.order.reason_code ? ` (${r.order.reason_code})` : ''}`;

/** One planned payout: what reached the gateway, then (if the API accepted it) where it ended. */
export function tallyPayout(t: Tally, p: PlannedPayout, input: AccountInput): void {
  const g = input.received.get(p.externalId);
  if (g) tallyGateway(t, p, g);
  t.contradictionEvents += (input.receiver.byId.get(p.externalId) ?? []).filter(
    (x) => x.event === 'payout.contradiction',
  ).length;
  if (!input.results.get(p.externalId)?.accepted) return;

  const view = input.views.get(p.externalId);
  if (view?.status !== 200) {
    t.lostIds.push({ id: p.externalId, why: `no record (GET answered ${view?.status ?? 'nothing'})` });
    return;
  }
  tallyView(t, p, view.body as PayoutView, g, input.receiver);
  for (const review of reviewsOfLiveHolders((view.body as PayoutView).history ?? []))
    t.liveHoldersTakenForLost.push({ id: p.externalId, ...review });
}

function tallyGateway(t: Tally, p: PlannedPayout, g: SandboxRecord): void {
  t.gatewayRequests += g.requests;
  t.http429 += g.answers.filter((a) => a === 429).length;
  t.http503 += g.answers.filter((a) => a === 503).length;
  if (!g.sameBody) t.bodyChanged++;
  // 429/503 refusals create nothing (the scenario asked for them); every other request could
  // have created the payout, so more than one of those is a payout sent twice.
  const couldCreate = g.answers.filter((a) => a !== 429 && a !== 503).length;
  if (g.created > 1 || couldCreate > 1) {
    t.sentTwiceIds.push({ id: p.externalId, created: g.created, answers: g.answers });
  }
}

/** An accepted payout's final state and history: stuck, left in needs_review, or terminal. */
function tallyView(
  t: Tally,
  p: PlannedPayout,
  v: PayoutView,
  g: SandboxRecord | undefined,
  receiver: NotifyReceiver,
): void {
  const state = v.status;
  t.byFinalState[state] = (t.byFinalState[state] ?? 0) + 1;
  const sc = t.byScenario[p.scenario.name]!;
  sc[state] = (sc[state] ?? 0) + 1;
  t.contradictions += (v.history ?? []).filter((h) => h.contradiction).length;
  const reviews = new Set(
    (v.history ?? []).filter((h) => h.to === 'needs_review').map((h) => h.reason ?? '(none)'),
  );
  for (const reason of reviews) t.passedThroughReview[reason] = (t.passedThroughReview[reason] ?? 0) + 1;
  if ((v.history ?? []).some((h) => h.to === 'retry_scheduled')) t.retried++;

  if (PENDING.includes(state)) {
    t.lostIds.push({ id: p.externalId, why: `stuck in ${state}${v.reason ? ` (${v.reason})` : ''}` });
    return;
  }
  if (state === 'needs_review') {
    tallyReview(t, p, v, g);
    return;
  }
  tallyTerminal(t, p, v, g, receiver);
}

function tallyReview(t: Tally, p: PlannedPayout, v: PayoutView, g: SandboxRecord | undefined): void {
  if (!v.reason) t.lostIds.push({ id: p.externalId, why: 'needs_review without a reason' });
  const reason = v.reason ?? '(none)';
  t.needsReviewReasons[reason] = (t.needsReviewReasons[reason] ?? 0) + 1;
  t.needsReviewIds.push({
    id: p.externalId,
    scenario: p.scenario.name,
    reason,
    gateway: gatewayWord(g),
    requests: g?.requests ?? 0,
  });
  const status = g?.order?.status;
  if (status === 4 || status === 5 || status === 6) t.needsReviewWithGatewayOrder++;
}

/** Terminal: it must agree with the gateway, and be notified with its terminal event. */
function tallyTerminal(
  t: Tally,
  p: PlannedPayout,
  v: PayoutView,
  g: SandboxRecord | undefined,
  receiver: NotifyReceiver,
): void {
  const state = v.status;
  const order = g?.order;
  const agrees =
    state === 'succeeded'
      ? order?.status === 4
      : state === 'failed'
        ? order
          ? order.status === 5 || order.status === 6
          : v.reason === 'not_sent'
        : !order; // rejected, cancelled: nothing may exist at the gateway
  if (!agrees) t.wrongFinalStateIds.push({ id: p.externalId, state, gateway: gatewayWord(g) });
  // A declined or expired payout ends as its approval role says; an approved one as its scenario.
  const expected = (p.approval && ROLE_END[p.approval.role]?.state) ?? p.scenario.expected;
  if (expected !== state) {
    t.unexpectedForScenario.push({ id: p.externalId, scenario: p.scenario.name, state });
  }
  const got = receiver.byId.get(p.externalId) ?? [];
  t.perTerminal.push(got.length);
  const terminalNote = got.find((x) => x.event === `payout.${state}`);
  if (!terminalNote) t.missing.push(p.externalId);
  else t.delays.push({ id: p.externalId, ms: terminalNote.at - Date.parse(String(v.updated_at)) });
}

/** The report's results: each list cut to its first 100. */
export function resultsOf(t: Tally, input: AccountInput): Results {
  return {
    lost: t.lostIds.length,
    lostIds: t.lostIds.slice(0, 100),
    sentTwice: t.sentTwiceIds.length,
    sentTwiceIds: t.sentTwiceIds.slice(0, 100),
    bodyChanged: t.bodyChanged,
    byFinalState: t.byFinalState,
    needsReview: t.byFinalState.needs_review ?? 0,
    needsReviewReasons: t.needsReviewReasons,
    wrongFinalState: t.wrongFinalStateIds.length,
    wrongFinalStateIds: t.wrongFinalStateIds.slice(0, 100),
    liveHoldersTakenForLost: t.liveHoldersTakenForLost.slice(0, 100),
    needsReviewWithGatewayOrder: t.needsReviewWithGatewayOrder,
    needsReviewIds: t.needsReviewIds.slice(0, 100),
    passedThroughReview: t.passedThroughReview,
    retried: t.retried,
    byScenario: t.byScenario,
    unexpectedForScenario: t.unexpectedForScenario.slice(0, 100),
    gatewayRequests: t.gatewayRequests,
    gatewayRefusals: { http429: t.http429, http503: t.http503 },
    contradictions: t.contradictions,
    refusedReachedGateway: input.refusedIds.filter((id) => input.received.has(id)),
  };
}

/** The report's notifications, but for the outbox's longest (the run's sampler has it). */
export function notificationsOf(
  t: Tally,
  receiver: NotifyReceiver,
): Omit<ChaosReport['notifications'], 'outboxMax'> {
  const terminalPayouts = t.perTerminal.length;
  return {
    terminalPayouts,
    notifiedWithTerminalEvent: terminalPayouts - t.missing.length,
    missing: t.missing.slice(0, 100),
    deliveries: receiver.stats.delivered,
    perTerminalPayout: {
      min: terminalPayouts ? Math.min(...t.perTerminal) : 0,
      avg: terminalPayouts
        ? Number((t.perTerminal.reduce((a, b) => a + b, 0) / terminalPayouts).toFixed(2))
        : 0,
      max: terminalPayouts ? Math.max(...t.perTerminal) : 0,
    },
    badSignature: receiver.stats.badSignature,
    refusedOnPurpose: receiver.stats.refusedOnPurpose,
    repeats: receiver.stats.repeats,
    contradictionEvents: t.contradictionEvents,
    terminalDelayMs: delaySpread(t.delays),
  };
}

function delaySpread(delays: readonly { id: string; ms: number }[]) {
  const sorted = [...delays].sort((a, b) => a.ms - b.ms);
  const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]?.ms ?? 0;
  return {
    p50: q(0.5),
    p99: q(0.99),
    max: sorted.at(-1)?.ms ?? 0,
    slowest: sorted.slice(-5).reverse(),
  };
}
