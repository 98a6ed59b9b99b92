import { describe, expect, test } from 'vitest';
import { decodeEntry, entryTail } from '../../../src/payout/history.js';

/** The fixed part of a line as the record's scripts write it: seq|at|from|to|attempt| */
const line = (fixed: string, tail: string) => `${fixed}${tail}`;

describe('history lines', () => {
  test('a creation: no from, no attempt, no extras', () => {
    const at = Date.UTC(2026, 10, 24, 12, 0, 0, 123);
    expect(decodeEntry(line(`1|${at}||queued||`, entryTail('created', 'producer')))).toEqual({
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
      line('4|1795527975925|sending|failed|2|', entryTail('gateway_failure', 'callback', extras)),
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
    expect(entryTail('claim', 'worker', { reason: undefined, who: undefined })).toBe('claim|worker|');
  });

  test('only the optional fields travel in the JSON part: nothing can override the fixed ones', () => {
    const smuggled = { reason: 'r', seq: 99, to: 'succeeded' } as unknown as Parameters<typeof entryTail>[2];
    expect(entryTail('claim', 'worker', smuggled)).toBe('claim|worker|{"reason":"r"}');
    expect(
      decodeEntry('2|1795527975914|queued|sending|1|claim|worker|{"seq":99,"to":"failed"}'),
    ).toMatchObject({
      seq: 2,
      to: 'sending',
    });
  });

  test('a malformed line is an error, not a half-read entry', () => {
    expect(() => decodeEntry('3|1795527975925|sending')).toThrow(/malformed history entry/);
  });
});
