import { describe, expect, test } from 'vitest';
import type { HistoryEntry } from '../../../src/payout/history.js';
import { isNotified } from '../../../src/worker/deliveries.js';

/** Which changes of a payout have a notification to show: those the scripts put in the outbox. */

const entry = (e: Partial<HistoryEntry>): HistoryEntry => ({
  at: '2026-12-01T00:00:00.000Z',
  to: 'queued',
  event: 'created',
  actor: 'producer',
  seq: 1,
  ...e,
});

describe('isNotified', () => {
  test.each([
    ['the creation', entry({}), true],
    ['a move', entry({ from: 'sending', to: 'submitted', event: 'gateway_pending', actor: 'worker' }), true],
    [
      'a first approval of two (no move)',
      entry({ from: 'awaiting_approval', to: 'awaiting_approval', event: 'approve', actor: 'operator' }),
      false,
    ],
    [
      'a gateway answer after the payout moved on',
      entry({ from: 'succeeded', to: 'succeeded', event: 'gateway_report', actor: 'worker' }),
      false,
    ],
    [
      'a contradicting report',
      entry({
        from: 'succeeded',
        to: 'succeeded',
        event: 'gateway_report',
        actor: 'callback',
        contradiction: true,
      }),
      true,
    ],
  ])('%s: %s', (_name, e, expected) => {
    expect(isNotified(e)).toBe(expected);
  });
});
