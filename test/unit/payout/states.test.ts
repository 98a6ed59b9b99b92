import { describe, expect, test } from 'vitest';
import {
  isTerminal,
  nextState,
  PAYOUT_EVENTS,
  PAYOUT_STATES,
  TERMINAL_STATES,
} from '../../../src/payout/states.js';
import { EXPECTED, TRANSITION_CASES } from '../../helpers/transition-table.js';

describe('transition table', () => {
  test('covers every state', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...PAYOUT_STATES].sort());
  });

  test.each(TRANSITION_CASES)('%s + %s -> %s', (state, event, expected) => {
    expect(nextState(state, event)).toBe(expected);
  });

  test.each(TERMINAL_STATES)('%s is terminal and never moves', (state) => {
    expect(isTerminal(state)).toBe(true);
    for (const event of PAYOUT_EVENTS) expect(nextState(state, event)).toBeUndefined();
  });
});
