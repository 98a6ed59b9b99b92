import { z } from 'zod';
import type { PagePosition, PageQuery } from '../payout/page.js';
import { type Actor, PAYOUT_STATES } from '../payout/states.js';
import type { HistoryEntry, PayoutRecord } from '../payout/store.js';

const state = z.enum(PAYOUT_STATES);
const time = z.iso.datetime();

/** A history entry as the API shows it (history.ts); documentation for /docs. */
const historyEntrySchema = z
  .object({
    at: time,
    from: state.optional(),
    to: state,
    event: z.string().describe('what moved it: created, claim, gateway_success, cancel, resolve_failed, ...'),
    actor: z.enum(['producer', 'worker', 'callback', 'reconciler', 'operator']),
    seq: z.number().int(),
    attempt: z.number().int().optional(),
    gateway_status: z.number().int().optional(),
    order_id: z.string().optional(),
    reason: z.string().optional(),
    reason_code: z.string().optional(),
    who: z.string().optional(),
    note: z.string().optional(),
    contradiction: z
      .boolean()
      .optional()
      .describe('a gateway report that contradicts the state: recorded, not applied'),
  })
  .meta({ id: 'HistoryEntry' });

/**
 * Why a payout waiting to be sent is not being sent (src/controls): its payment_system is paused, or
 * that system's circuit breaker is open (cooling down until `until`) or half open (another payout is
 * probing). Shown only on a payout that is queued or retry_scheduled.
 */
const holdSchema = z
  .object({
    reason: z.enum(['paused', 'breaker_open', 'breaker_half_open']),
    payment_system: z
      .string()
      .describe('the payment_system paused or whose breaker is open (`*`: every one)'),
    since: time.nullable().describe('when the pause began, or the breaker opened'),
    until: time
      .nullable()
      .describe("the end of the breaker's cool-down (or of its probe's turn); null for a pause"),
    by: z.string().optional().describe('the operator who paused it'),
    note: z.string().optional(),
  })
  .meta({ id: 'PayoutHold' });
export type PayoutHold = z.output<typeof holdSchema>;

const EXAMPLE_TIME = '2026-12-03T10:00:00.000Z';

/** The payout as GET /v1/payouts/:external_id answers it; documentation for /docs, checked by tests. */
export const payoutViewSchema = z
  .object({
    external_id: z.string(),
    method: z.string(),
    payment_system: z.string(),
    amount: z.number().int().describe('minor units'),
    currency: z.string(),
    customer_id: z.string(),
    status: state,
    order_id: z.string().nullable().describe("the gateway's order, once it accepted the payout"),
    gateway_status: z.number().int().nullable().describe("the gateway's last status code (1-7)"),
    attempts: z.number().int(),
    reason: z
      .string()
      .nullable()
      .describe('why it is in its state (failed, rejected, needs_review, retry_scheduled)'),
    reason_code: z.string().nullable(),
    next_attempt_at: time.nullable().describe('when a retry_scheduled payout is sent again'),
    not_before: time.nullable().describe('a scheduled payout: not sent before this time'),
    created_at: time,
    updated_at: time,
    approvals: z
      .object({
        needed: z.number().int().describe('1, or 2 (four eyes: two different approvers)'),
        given: z.array(z.string()).describe('the approvers who approved it, in order'),
      })
      .optional()
      .describe('for a payout an approval rule or a limit held in awaiting_approval'),
    seq: z.number().int().describe('grows by one with every change; notifications carry it'),
    payment_data: z.record(z.string(), z.string()).describe('masked: 411111******1111'),
    hold: holdSchema
      .optional()
      .describe('present while a pause or a circuit breaker holds a queued or retry_scheduled payout'),
    history: z.array(historyEntrySchema),
  })
  .meta({
    id: 'Payout',
    examples: [
      {
        external_id: 'po-1001',
        method: 'bank_card',
        payment_system: 'TEST_PS',
        amount: 1100,
        currency: 'USD',
        customer_id: 'c-1',
        status: 'queued',
        order_id: null,
        gateway_status: null,
        attempts: 0,
        reason: null,
        reason_code: null,
        next_attempt_at: null,
        not_before: null,
        created_at: EXAMPLE_TIME,
        updated_at: EXAMPLE_TIME,
        seq: 1,
        payment_data: {
          card_number: '411111******1111',
          card_holder: 'John Doe',
          exp_year: '2035',
          exp_month: '06',
        },
        history: [{ at: EXAMPLE_TIME, to: 'queued', event: 'created', actor: 'producer', seq: 1 }],
      },
    ],
  });

/**
 * Where payouts archived out of Redis are read (the ledger, when one is configured). Lower floors
 * name only this, never the ledger itself.
 */
export interface ArchiveReader {
  /** The archived payout with its history, or undefined when the archive has none. */
  payout(externalId: string): Promise<PayoutView | undefined>;
  /**
   * Archived payouts (those taken out of Redis) in GET /v1/payouts' order, strictly after `after`:
   * when each entered its current state, newest first, equal times by external_id descending.
   */
  page(query: ArchivePageQuery): Promise<ArchivedPage>;
  /**
   * Appends a note (a history entry that moves nothing: a gateway report contradicting the archived
   * state) to an archived payout's history; the entry as written, or undefined when there is none.
   */
  note(externalId: string, entry: ArchivedNote): Promise<HistoryEntry | undefined>;
}

/** What a note on an archived payout says. */
export type ArchivedNote = { event: 'gateway_report'; actor: Actor } & Pick<
  HistoryEntry,
  'gateway_status' | 'order_id' | 'reason' | 'reason_code' | 'contradiction'
>;

/** The list's own query (payout/page.ts): the same filters, limit and position. */
export type ArchivePageQuery = PageQuery;

/** Each archived payout with its place in the list. */
export type ArchivedPage = { position: PagePosition; payout: Omit<PayoutView, 'history'> }[];

/** A payout as the API, the CLI and notifications show it: masked, no secrets, no tokens. */
export interface PayoutView {
  external_id: string;
  method: string;
  payment_system: string;
  amount: number;
  currency: string;
  customer_id: string;
  status: string;
  order_id: string | null;
  gateway_status: number | null;
  attempts: number;
  reason: string | null;
  reason_code: string | null;
  next_attempt_at: string | null;
  /** A scheduled payout: not sent before this time. */
  not_before: string | null;
  created_at: string;
  updated_at: string;
  /**
   * For a payout held for approval (or one that was): the approvals it needs and who gave them.
   * Absent for a payout no rule or limit held.
   */
  approvals?: { needed: number; given: string[] };
  /** Sequence number of the latest change; notifications carry it so receivers can order them. */
  seq: number;
  payment_data: Record<string, string>;
  /** Present while a pause or a breaker holds it. */
  hold?: PayoutHold;
  history: HistoryEntry[];
}

// The documented shape and the type answered must agree, field for field, both ways.
type Documented = z.output<typeof payoutViewSchema>;
type Agrees<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _viewIsDocumented: Agrees<
  Omit<PayoutView, 'history' | 'status'>,
  Omit<Documented, 'history' | 'status'>
> = true;
void _viewIsDocumented;

/**
 * The payout as the API shows it. Record and history are read apart, so the history may already hold
 * a later change (a worker's claim between the two reads): only the entries up to the record's own
 * seq are shown, so the status and the history in one answer come from one moment.
 */
export function toView(record: PayoutRecord, history: HistoryEntry[], hold?: PayoutHold): PayoutView {
  return {
    external_id: record.externalId,
    method: record.method,
    payment_system: record.paymentSystem,
    amount: record.amount,
    currency: record.currency,
    customer_id: record.customer.customer_id,
    status: record.status,
    order_id: record.orderId ?? null,
    gateway_status: record.gatewayStatus ?? null,
    attempts: record.attempts,
    reason: record.reason ?? null,
    reason_code: record.reasonCode ?? null,
    next_attempt_at: record.nextAttemptAt ? new Date(record.nextAttemptAt).toISOString() : null,
    not_before: record.notBefore ? new Date(record.notBefore).toISOString() : null,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    ...(record.approvalsNeeded !== undefined
      ? { approvals: { needed: record.approvalsNeeded, given: record.approvedBy } }
      : {}),
    seq: record.seq,
    payment_data: record.maskedPaymentData,
    ...(hold ? { hold } : {}),
    history: history.filter((entry) => entry.seq <= record.seq),
  };
}

/**
 * The payout as it was right after its change `seq`, without its history: what the notification of
 * that change carries, however late it is delivered, so it never mixes that change's state with a
 * later change's gateway status or reason. State, order_id, gateway status, attempts and reason come
 * from the history up to that change (a note moves nothing); next_attempt_at, which the
 * history does not keep, only while that change's move is still the latest. Undefined when the
 * history has no change `seq`.
 */
export function viewAsOf(
  record: PayoutRecord,
  history: HistoryEntry[],
  seq: number,
): { payout: Omit<PayoutView, 'history'>; change: HistoryEntry } | undefined {
  const { history: _none, ...latest } = toView(record, []);
  let change: HistoryEntry | undefined;
  let move: HistoryEntry | undefined;
  let latestMove: HistoryEntry | undefined;
  let orderId: string | undefined;
  let gatewayStatus: number | undefined;
  let attempts = 0;
  for (const entry of history) {
    // A note (a contradiction, a late answer) moves nothing.
    if (entry.event === 'gateway_report') {
      if (entry.seq === seq) change = entry;
      continue;
    }
    latestMove = entry;
    if (entry.seq > seq) continue;
    if (entry.seq === seq) change = entry;
    move = entry;
    orderId = entry.order_id ?? orderId;
    gatewayStatus = entry.gateway_status ?? gatewayStatus;
    attempts = entry.attempt ?? attempts;
  }
  if (!change || !move) return undefined;
  return {
    change,
    payout: {
      ...latest,
      status: move.to,
      order_id: orderId ?? null,
      gateway_status: gatewayStatus ?? null,
      attempts,
      reason: move.reason ?? null,
      reason_code: move.reason_code ?? null,
      next_attempt_at: move === latestMove ? latest.next_attempt_at : null,
      updated_at: change.at,
      seq,
    },
  };
}
