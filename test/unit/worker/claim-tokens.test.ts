import { describe, expect, test } from 'vitest';
import { createClaimTokens } from '../../../src/worker/claim-tokens.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('claim tokens', () => {
  test('a fresh UUID for each claim, unless one was left unanswered', () => {
    const tokens = createClaimTokens();
    const a = tokens.next('po-1');
    const b = tokens.next('po-1');
    expect(a).toMatch(UUID);
    expect(b).toMatch(UUID);
    expect(a).not.toBe(b);
  });

  test('an unanswered token is handed out once: a second processing meanwhile gets a fresh one', () => {
    const tokens = createClaimTokens();
    const lost = tokens.next('po-1');
    tokens.unanswered('po-1', lost);
    expect(tokens.next('po-1')).toBe(lost);
    // A stalled job fetched again while the first try still waits on Redis.
    expect(tokens.next('po-1')).not.toBe(lost);
    // Other payouts never see it.
    tokens.unanswered('po-1', lost);
    expect(tokens.next('po-2')).not.toBe(lost);
    expect(tokens.next('po-1')).toBe(lost);
  });

  test('the newest unanswered token of a payout is the one kept', () => {
    const tokens = createClaimTokens();
    tokens.unanswered('po-1', 'first');
    tokens.unanswered('po-1', 'second');
    expect(tokens.next('po-1')).toBe('second');
    expect(tokens.next('po-1')).not.toBe('first');
  });

  test('bounded: the oldest are forgotten first', () => {
    const tokens = createClaimTokens(2);
    tokens.unanswered('po-1', 't1');
    tokens.unanswered('po-2', 't2');
    tokens.unanswered('po-1', 't1b'); // po-1 is now the newest
    tokens.unanswered('po-3', 't3');
    expect(tokens.next('po-2')).not.toBe('t2');
    expect(tokens.next('po-1')).toBe('t1b');
    expect(tokens.next('po-3')).toBe('t3');
  });
});
