import { describe, expect, test } from 'vitest';
import type { HistoryEntry } from '../../../src/payout/history.js';
import type { PayoutRecord } from '../../../src/payout/store.js';
import { toView, viewAsOf } from '../../../src/producer/view.js';

const at = (s: number) => new Date(Date.UTC(2026, 10, 24, 12, 0, s)).toISOString();

/** A payout that was submitted, then declined, then contradicted by a late SUCCESS report. */
const history: HistoryEntry[] = [
  { seq: 1, at: at(1), to: 'queued', event: 'created', actor: 'producer' },
  { seq: 2, at: at(2), from: 'queued', to: 'sending', event: 'claim', actor: 'worker', attempt: 1 },
  {
    seq: 3,
    at: at(3),
    from: 'sending',
    to: 'submitted',
    event: 'gateway_pending',
    actor: 'worker',
    attempt: 1,
    gateway_status: 1,
    order_id: 'o-1',
  },
  {
    seq: 4,
    at: at(4),
    from: 'submitted',
    to: 'failed',
    event: 'gateway_failure',
    actor: 'callback',
    attempt: 1,
    gateway_status: 5,
    reason_code: '051',
    reason: 'Insufficient funds',
  },
  {
    seq: 5,
    at: at(5),
    from: 'failed',
    to: 'failed',
    event: 'gateway_report',
    actor: 'callback',
    gateway_status: 4,
    reason: 'gateway reported status 4 for a payout that is failed',
    contradiction: true,
  },
];

const record: PayoutRecord = {
  notBefore: undefined,
  externalId: 'po-1',
  method: 'bank_card',
  paymentSystem: 'TEST_PS',
  amount: 2000,
  currency: 'USD',
  customer: { customer_id: 'c-1', country: 'LV', first_name: 'A', last_name: 'B' },
  status: 'failed',
  orderId: 'o-1',
  gatewayStatus: 5,
  attempts: 1,
  createdAt: at(1),
  updatedAt: at(5),
  maskedPaymentData: { card_number: '411111******1111' },
  reason: 'Insufficient funds',
  reasonCode: '051',
  nextAttemptAt: undefined,
  token: undefined,
  approvalsNeeded: undefined,
  approvedBy: [],
  mayHaveReached: false,
  seq: 5,
  sealedPayload: undefined,
  digest: 'd',
};

describe('viewAsOf: the payout as a notification of one change shows it', () => {
  test('an earlier change, delivered after later ones, carries its own state and details only', () => {
    const { payout, change } = viewAsOf(record, history, 3)!;
    expect(change.seq).toBe(3);
    expect(payout).toMatchObject({
      status: 'submitted',
      seq: 3,
      gateway_status: 1,
      order_id: 'o-1',
      reason: null,
      reason_code: null,
      attempts: 1,
      updated_at: at(3),
      amount: 2000,
      customer_id: 'c-1',
      payment_data: { card_number: '411111******1111' },
    });
    expect(payout).not.toHaveProperty('history');
  });

  test('the queued change knows no order and no attempt yet', () => {
    expect(viewAsOf(record, history, 1)!.payout).toMatchObject({
      status: 'queued',
      order_id: null,
      gateway_status: null,
      attempts: 0,
    });
  });

  test("a contradiction note moves nothing: the state and reason stay the last move's", () => {
    const { payout, change } = viewAsOf(record, history, 5)!;
    expect(change).toMatchObject({ seq: 5, contradiction: true });
    expect(payout).toMatchObject({
      status: 'failed',
      gateway_status: 5,
      reason: 'Insufficient funds',
      reason_code: '051',
      updated_at: at(5),
      seq: 5,
    });
  });

  test("a late answer's note moves nothing either: the payout keeps the last move's status and reason", () => {
    const late: HistoryEntry = {
      seq: 6,
      at: at(6),
      from: 'failed',
      to: 'failed',
      event: 'gateway_report',
      actor: 'worker',
      gateway_status: 1,
      order_id: 'o-1',
      reason:
        'answer_after_payout_moved_on: gateway answered status 1 (order o-1) when the payout was already failed',
    };
    const extended = [...history, late];
    expect(viewAsOf({ ...record, seq: 6 }, extended, 6)!.payout).toMatchObject({
      status: 'failed',
      gateway_status: 5,
      reason: 'Insufficient funds',
      seq: 6,
    });
  });

  test('next_attempt_at only while that retry is still the latest move; no such change, nothing', () => {
    const retry: HistoryEntry[] = [
      ...history.slice(0, 2),
      {
        seq: 3,
        at: at(3),
        from: 'sending',
        to: 'retry_scheduled',
        event: 'retry',
        actor: 'worker',
        attempt: 1,
      },
    ];
    const due = Date.parse(at(60));
    const waiting = { ...record, status: 'retry_scheduled' as const, nextAttemptAt: due, seq: 3 };
    expect(viewAsOf(waiting, retry, 3)!.payout.next_attempt_at).toBe(at(60));
    const resent: HistoryEntry[] = [
      ...retry,
      {
        seq: 4,
        at: at(61),
        from: 'retry_scheduled',
        to: 'sending',
        event: 'claim',
        actor: 'worker',
        attempt: 2,
      },
    ];
    const sending = { ...waiting, status: 'sending' as const, nextAttemptAt: undefined, seq: 4, attempts: 2 };
    expect(viewAsOf(sending, resent, 3)!.payout).toMatchObject({
      status: 'retry_scheduled',
      next_attempt_at: null,
    });
    expect(viewAsOf(record, history, 9)).toBeUndefined();
  });
});

describe('toView: status and history in one answer come from one moment', () => {
  test('a history read after the record, already holding a later change, is cut at the record', () => {
    // Approved (seq 2, queued), then claimed by a worker (seq 3) before the history was read.
    const approved = {
      ...record,
      status: 'queued' as const,
      seq: 2,
      orderId: undefined,
      gatewayStatus: undefined,
    };
    const later: HistoryEntry[] = [
      { seq: 1, at: at(1), to: 'awaiting_approval', event: 'created', actor: 'producer' },
      { seq: 2, at: at(2), from: 'awaiting_approval', to: 'queued', event: 'approve', actor: 'operator' },
      { seq: 3, at: at(3), from: 'queued', to: 'sending', event: 'claim', actor: 'worker', attempt: 1 },
    ];
    const view = toView(approved, later);
    expect(view).toMatchObject({ status: 'queued', seq: 2 });
    expect(view.history.map((e) => e.seq)).toEqual([1, 2]);
    expect(view.history.at(-1)).toMatchObject({ seq: 2, to: 'queued' });
  });

  test('a history as recent as the record is shown whole, notes included', () => {
    expect(toView(record, history).history).toEqual(history);
  });
});
