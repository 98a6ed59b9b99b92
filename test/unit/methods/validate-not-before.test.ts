import { describe, expect, test } from 'vitest';
import { validateDepositRequest, validatePayoutRequest } from '../../../src/methods/index.js';
import { mainFields, requestFor } from './fixtures.js';
import { freezeClockAtNow, mainOnlyRequest } from './rules-fixture.js';

freezeClockAtNow();

describe('not_before (a scheduled payout)', () => {
  const FORMAT = 'must be an ISO 8601 time with a time zone, e.g. 2026-12-24T09:00:00Z';
  const refused: { name: string; value: unknown; message: string }[] = [
    { name: 'no time zone', value: '2027-03-16T09:00:00', message: FORMAT },
    { name: 'a date alone', value: '2027-03-16', message: FORMAT },
    { name: 'epoch milliseconds', value: 1_805_000_000_000, message: FORMAT },
    {
      name: 'more than 90 days ahead',
      value: '2027-07-01T00:00:00Z',
      message: 'must be at most 90 days ahead',
    },
  ];
  test.each(refused)('$name is refused', ({ value, message }) => {
    expect(validatePayoutRequest(mainOnlyRequest({ not_before: value }))).toEqual({
      ok: false,
      issues: [{ path: 'not_before', message }],
    });
  });

  test.each([
    { given: '2027-03-16T09:00:00Z', normalized: '2027-03-16T09:00:00.000Z' },
    { given: '2027-03-16T11:00:00+02:00', normalized: '2027-03-16T09:00:00.000Z' },
    { given: '2020-01-01T00:00:00Z', normalized: '2020-01-01T00:00:00.000Z' },
  ])('$given is accepted as $normalized, and never reaches the gateway request', ({ given, normalized }) => {
    const result = validatePayoutRequest(mainOnlyRequest({ not_before: given }));
    expect(result).toEqual({ ok: true, method: 'cis_transfer', request: mainFields, notBefore: normalized });
  });

  test('deposits are sent at once: not_before is refused', () => {
    expect(
      validateDepositRequest(
        requestFor('cis_transfer', 'deposit', {}, { not_before: '2027-03-16T09:00:00Z' }),
      ),
    ).toEqual({
      ok: false,
      issues: [{ path: 'not_before', message: 'deposits are sent at once; not_before is for payouts' }],
    });
  });
});
