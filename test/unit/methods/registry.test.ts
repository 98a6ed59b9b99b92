import { describe, expect, test } from 'vitest';
import { getMethod, isMethodId, MAIN_ONLY, methodIds, methods } from '../../../src/methods/index.js';

/** The ids SPEC.md fixes, in its order. */
const SPEC_IDS = [
  'bank_card',
  'p2p_card',
  'vega_wallet',
  'jeton_wallet',
  'ecopayz',
  'sticpay',
  'emanat',
  'm10_wallet',
  'cash',
  'cis_transfer',
  'bank_transfer',
  'kakaopay',
  'toss',
  'payco',
];

describe('registry', () => {
  test('holds exactly the SPEC.md methods', () => {
    expect(methodIds).toEqual(SPEC_IDS);
  });

  test.each(SPEC_IDS)('%s is filed under its own id', (id) => {
    expect(isMethodId(id)).toBe(true);
    if (isMethodId(id)) expect(getMethod(id).id).toBe(id);
  });

  test.each(['', 'BANK_CARD', 'visa', 'toString', '__proto__', 'constructor', 1, null, undefined, {}])(
    'isMethodId(%j) is false',
    (value) => {
      expect(isMethodId(value)).toBe(false);
    },
  );

  test('deposits are missing exactly for ecopayz and sticpay', () => {
    expect(methodIds.filter((id) => methods[id].deposit === undefined)).toEqual(['ecopayz', 'sticpay']);
  });

  test('main-only directions are exactly the documented ones', () => {
    const mainOnly = methodIds.flatMap((id) =>
      (['payout', 'deposit'] as const).filter((d) => methods[id][d] === MAIN_ONLY).map((d) => `${id} ${d}`),
    );
    expect(mainOnly).toEqual([
      'p2p_card deposit',
      'emanat deposit',
      'm10_wallet deposit',
      'cis_transfer payout',
      'cis_transfer deposit',
    ]);
  });

  test('only p2p_card has a cross-field rule', () => {
    expect(methodIds.filter((id) => 'refine' in methods[id])).toEqual(['p2p_card']);
  });
});
