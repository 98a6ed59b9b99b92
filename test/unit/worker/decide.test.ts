import { describe, expect, test } from 'vitest';
import type { GatewayOutcome } from '../../../src/gateway/outcome.js';
import { backoffDelay, decide, decideLostHolder, type RetryPolicy } from '../../../src/worker/decide.js';

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000, resendOnUnknown: false };
const NOW = 1_000_000;
const half = () => 0.5;

const answer = (status: number) => ({ order_id: 'o-1', status, type: 2, external_id: 'po-1' });

const cases: [string, GatewayOutcome, number, RetryPolicy, unknown][] = [
  [
    'accepted',
    { kind: 'accepted', answer: answer(1) as never },
    1,
    policy,
    {
      action: 'report',
      report: { status: 1, orderId: 'o-1', reasonCode: undefined, reason: undefined },
      breaker: 'answered',
    },
  ],
  [
    'final success',
    { kind: 'final', answer: answer(4) as never },
    1,
    policy,
    {
      action: 'report',
      report: { status: 4, orderId: 'o-1', reasonCode: undefined, reason: undefined },
      breaker: 'answered',
    },
  ],
  [
    'final decline',
    { kind: 'final', answer: { ...answer(5), reason_code: '051', reason: 'no' } as never },
    1,
    policy,
    {
      action: 'report',
      report: { status: 5, orderId: 'o-1', reasonCode: '051', reason: 'no' },
      breaker: 'answered',
    },
  ],
  [
    'unknown status',
    { kind: 'unknown_status', answer: answer(7) as never },
    1,
    policy,
    {
      action: 'report',
      report: { status: 7, orderId: 'o-1', reasonCode: undefined, reason: undefined },
      breaker: 'answered',
    },
  ],
  [
    'not sent, attempt 1',
    { kind: 'not_sent', code: 'ECONNREFUSED', message: 'x' },
    1,
    policy,
    { action: 'retry', at: NOW + 750, reason: 'not_sent: ECONNREFUSED', breaker: 'no_answer' },
  ],
  [
    'not sent, attempt 3',
    { kind: 'not_sent', code: 'ECONNREFUSED', message: 'x' },
    3,
    policy,
    { action: 'retry', at: NOW + 3000, reason: 'not_sent: ECONNREFUSED', breaker: 'no_answer' },
  ],
  [
    'not sent, last attempt',
    { kind: 'not_sent', code: 'ENOTFOUND', message: 'x' },
    5,
    policy,
    { action: 'give_up', reason: 'not_sent', breaker: 'no_answer' },
  ],
  [
    '503 honours a long Retry-After',
    { kind: 'retry_later', httpStatus: 503, retryAfterMs: 30_000, message: 'x' },
    1,
    policy,
    { action: 'retry', at: NOW + 30_000, reason: 'gateway_busy: HTTP 503', breaker: 'no_answer' },
  ],
  [
    '429 short Retry-After keeps the backoff',
    { kind: 'retry_later', httpStatus: 429, retryAfterMs: 10, message: 'x' },
    2,
    policy,
    { action: 'retry', at: NOW + 1500, reason: 'gateway_busy: HTTP 429', breaker: 'no_answer' },
  ],
  [
    'retry_later, last attempt',
    { kind: 'retry_later', httpStatus: 503, retryAfterMs: 1000, message: 'x' },
    5,
    policy,
    { action: 'give_up', reason: 'not_sent', breaker: 'no_answer' },
  ],
  [
    'rejected',
    { kind: 'rejected', httpStatus: 422, code: 'validation_failed', message: 'x' },
    1,
    policy,
    { action: 'reject', reason: 'gateway_rejected: HTTP 422 validation_failed', breaker: 'answered' },
  ],
  [
    "another transaction's answer goes to review, naming it",
    {
      kind: 'other_transaction',
      httpStatus: 200,
      code: 'gateway_answered_other_type',
      message: 'type 1 (deposit), order o-9',
    },
    1,
    policy,
    {
      action: 'review',
      reason: 'gateway_answered_other_type: type 1 (deposit), order o-9',
      breaker: 'answered',
    },
  ],
  [
    "another transaction's answer is never resent, even with resend allowed",
    {
      kind: 'other_transaction',
      httpStatus: 200,
      code: 'gateway_answered_other_external_id',
      message: 'external_id po-2, order o-9',
    },
    1,
    { ...policy, resendOnUnknown: true },
    {
      action: 'review',
      reason: 'gateway_answered_other_external_id: external_id po-2, order o-9',
      breaker: 'answered',
    },
  ],
  [
    'duplicate is never rejected',
    { kind: 'duplicate', httpStatus: 409, message: 'x' },
    1,
    policy,
    { action: 'review', reason: 'gateway_duplicate_external_id', breaker: 'answered' },
  ],
  [
    'duplicate even with resend allowed',
    { kind: 'duplicate', httpStatus: 409, message: 'x' },
    1,
    { ...policy, resendOnUnknown: true },
    { action: 'review', reason: 'gateway_duplicate_external_id', breaker: 'answered' },
  ],
  [
    'unknown: never resent by default',
    { kind: 'unknown', httpStatus: 500, code: 'http_500', message: 'x' },
    1,
    policy,
    { action: 'review', reason: 'outcome_unknown: http_500', breaker: 'no_answer' },
  ],
  [
    'unknown: resent when the gateway deduplicates',
    { kind: 'unknown', code: 'read_timeout', message: 'x' },
    1,
    { ...policy, resendOnUnknown: true },
    {
      action: 'retry',
      at: NOW + 750,
      reason: 'unknown_resend: read_timeout',
      mayHaveReached: true,
      breaker: 'no_answer',
    },
  ],
  [
    'unknown, resent, out of attempts: review, never not_sent (it may have been created)',
    { kind: 'unknown', code: 'read_timeout', message: 'x' },
    5,
    { ...policy, resendOnUnknown: true },
    {
      action: 'review',
      reason: 'attempts_exhausted_outcome_unknown: unknown_resend: read_timeout',
      breaker: 'no_answer',
    },
  ],
];

describe('after an unknown outcome was resent (RESEND_ON_UNKNOWN)', () => {
  const resending = { ...policy, resendOnUnknown: true };
  test.each<[string, GatewayOutcome]>([
    ['not sent', { kind: 'not_sent', code: 'ECONNREFUSED', message: 'x' }],
    ['gateway busy', { kind: 'retry_later', httpStatus: 503, retryAfterMs: 0, message: 'x' } as never],
  ])('%s on the last attempt: review, since an earlier attempt may have created it', (_n, outcome) => {
    expect(decide(outcome, 5, resending, NOW, { earlierMayHaveReached: true, random: half })).toEqual({
      action: 'review',
      reason: expect.stringMatching(/^attempts_exhausted_outcome_unknown: /),
      breaker: 'no_answer',
    });
    // Without such an attempt it certainly was not sent.
    expect(decide(outcome, 5, resending, NOW, { random: half })).toEqual({
      action: 'give_up',
      reason: 'not_sent',
      breaker: 'no_answer',
    });
    // Before the last attempt it is simply sent again.
    expect(decide(outcome, 4, resending, NOW, { earlierMayHaveReached: true, random: half })).toMatchObject({
      action: 'retry',
    });
  });

  test('a refusal after an attempt that may have created it: review, never rejected', () => {
    const refused: GatewayOutcome = {
      kind: 'rejected',
      httpStatus: 422,
      code: 'insufficient_balance',
      message: 'x',
    };
    expect(decide(refused, 2, resending, NOW, { earlierMayHaveReached: true })).toEqual({
      action: 'review',
      reason: 'refused_after_unknown: gateway_rejected: HTTP 422 insufficient_balance',
      breaker: 'answered',
    });
    expect(decide(refused, 2, resending, NOW)).toMatchObject({ action: 'reject' });
  });
});

describe('a holder lost mid-send (a second delivery past its send window)', () => {
  test('by default: review, since its request may have reached the gateway', () => {
    expect(decideLostHolder(1, policy, NOW, { random: half })).toEqual({
      action: 'review',
      reason: 'worker_lost_mid_send: outcome unknown',
    });
  });

  test('under RESEND_ON_UNKNOWN: sent again after the backoff, marked as possibly created', () => {
    const resending = { ...policy, resendOnUnknown: true };
    expect(decideLostHolder(2, resending, NOW, { random: half })).toEqual({
      action: 'retry',
      at: NOW + 1_500,
      reason: 'unknown_resend: worker_lost_mid_send',
      mayHaveReached: true,
    });
    // The lost attempt was the last: a person decides, never `not_sent`.
    expect(decideLostHolder(5, resending, NOW, { random: half })).toEqual({
      action: 'review',
      reason: 'attempts_exhausted_outcome_unknown: unknown_resend: worker_lost_mid_send',
    });
  });
});

describe('decide', () => {
  test.each(cases)('%s', (_name, outcome, attempt, p, expected) => {
    expect(decide(outcome, attempt, p, NOW, { random: half })).toEqual(expected);
  });
});

describe('backoff', () => {
  test.each([
    [1, 0, 1000],
    [1, 1, 500],
    [2, 0, 2000],
    [4, 0, 8000],
    [20, 0, 60_000],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(backoffDelay(policy, attempt, 0, () => random)).toBe(expected);
  });

  test('never sooner than the gateway asked', () => {
    expect(backoffDelay(policy, 1, 45_000, () => 0)).toBe(45_000);
  });
});
