import { describe, expect, test } from 'vitest';
import { decodeEntry, entryTail, STATE_CODES } from '../../../src/payout/history.js';
import { PAYOUT_EVENTS, PAYOUT_STATES } from '../../../src/payout/states.js';

/** The fixed part of a line as the record's scripts write it: seq|at|from|to|attempt| */
const line = (fixed: string, tail: string) => `${fixed}${tail}`;
/** `at` as the scripts write it: epoch milliseconds in base 36. */
const at36 = (ms: number) => ms.toString(36);

describe('history lines', () => {
  test('a creation: no from, no attempt, no extras', () => {
    const at = Date.UTC(2026, 10, 24, 12, 0, 0, 123);
    expect(decodeEntry(line(`1|${at36(at)}||q||`, entryTail('created', 'producer')))).toEqual({
      at: '2026-11-24T12:00:00.123Z',
      to: 'queued',
      event: 'created',
      actor: 'producer',
      seq: 1,
    });
  });

  test('a transition keeps every optional field, whatever characters it holds', () => {
    const extras = {
      gateway_status: 5,
      order_id: '100000000002',
      reason: 'declined | by issuer\nsecond line',
      reason_code: '05',
      who: 'ops|alice',
      note: '{"not":"json"}',
    };
    const decoded = decodeEntry(
      line(`4|${at36(1795527975925)}|s|f|2|`, entryTail('gateway_failure', 'callback', extras)),
    );
    expect(decoded).toEqual({
      at: new Date(1795527975925).toISOString(),
      from: 'sending',
      to: 'failed',
      event: 'gateway_failure',
      actor: 'callback',
      seq: 4,
      attempt: 2,
      ...extras,
    });
  });

  test('a tail never holds a line break, so entries can be stored one per line', () => {
    expect(entryTail('resolve_failed', 'operator', { note: 'a\nb\r\nc' })).not.toMatch(/[\r\n]/);
  });

  test('absent optional fields leave the extras empty', () => {
    expect(entryTail('claim', 'worker', { reason: undefined, who: undefined })).toBe('c|w|');
  });

  test('only the optional fields travel in the JSON part: nothing can override the fixed ones', () => {
    const smuggled = { reason: 'r', seq: 99, to: 'succeeded' } as unknown as Parameters<typeof entryTail>[2];
    expect(entryTail('claim', 'worker', smuggled)).toBe('c|w|{"reason":"r"}');
    expect(
      decodeEntry('2|1795527975914|queued|sending|1|claim|worker|{"seq":99,"to":"failed"}'),
    ).toMatchObject({
      seq: 2,
      to: 'sending',
    });
  });

  test('a line written before the codes (names spelled out, at in decimal) reads the same', () => {
    const extras = { gateway_status: 3, order_id: '100000000002' };
    const written = '3|1795527975925|sending|submitted|1|gateway_pending|worker|';
    expect(decodeEntry(`${written}${JSON.stringify(extras)}`)).toEqual({
      at: new Date(1795527975925).toISOString(),
      from: 'sending',
      to: 'submitted',
      event: 'gateway_pending',
      actor: 'worker',
      seq: 3,
      attempt: 1,
      ...extras,
    });
    expect(decodeEntry('1|1795527975900||queued||created|producer|')).toEqual({
      at: new Date(1795527975900).toISOString(),
      to: 'queued',
      event: 'created',
      actor: 'producer',
      seq: 1,
    });
  });

  test('every state, event and actor has a code of its own', () => {
    const codes = Object.values(STATE_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[a-z]$/);
    const tails = PAYOUT_EVENTS.map((e) => entryTail(e, 'worker'));
    expect(new Set(tails).size).toBe(tails.length);
    for (const state of PAYOUT_STATES) {
      expect(decodeEntry(`1|0||${STATE_CODES[state]}||C|p|`).to).toBe(state);
    }
  });

  test('a malformed line is an error, not a half-read entry', () => {
    expect(() => decodeEntry('3|1795527975925|sending')).toThrow(/malformed history entry/);
  });
});
