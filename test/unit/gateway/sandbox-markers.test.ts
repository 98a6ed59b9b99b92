import { describe, expect, test } from 'vitest';
import { defaultScenario, parseScenario, type Scenario } from '../../../src/sandbox/markers.js';

const base = defaultScenario();
const withCallbacks = (c: Partial<Scenario['callbacks']>) => ({ callbacks: { ...base.callbacks, ...c } });

describe('customer_id markers', () => {
  test.each<[string, Partial<Scenario>]>([
    ['player-1', {}],
    ['player+', {}],
    ['player+nonsense+more', {}],
    ['a+b@example.com', {}],
    ['p+success', { final: { status: 4 } }],
    ['p+decline', { final: { status: 5, reason_code: '051', reason: 'Insufficient funds' } }],
    ['p+decline=054', { final: { status: 5, reason_code: '054', reason: 'Expired card' } }],
    ['p+decline=999', { final: { status: 5, reason_code: '999', reason: 'Declined by the issuer' } }],
    ['p+error', { final: { status: 6, reason_code: '096', reason: 'System malfunction' } }],
    ['p+instant', { answer: 'instant' }],
    [
      'p+decline+instant',
      { answer: 'instant', final: { status: 5, reason_code: '051', reason: 'Insufficient funds' } },
    ],
    ['p+unknown', { answer: 'unknown' }],
    ['p+instant+unknown', { answer: 'unknown' }],
    ['p+unknown+instant', { answer: 'unknown' }],
    ['p+delay=250', { settleDelayMs: 250 }],
    ['p+delay=999999999', { settleDelayMs: 600_000 }],
    ['p+503x2', { refuseFirst: { httpStatus: 503, count: 2 } }],
    ['p+429x1+retry-after=30', { refuseFirst: { httpStatus: 429, count: 1 }, retryAfterSeconds: 30 }],
    ['p+500', { afterCreate: '500' }],
    ['p+drop', { afterCreate: 'drop' }],
    ['p+slow=1500', { slowMs: 1500 }],
    ['p+early-callback', withCallbacks({ early: true })],
    ['p+dup-callback+stale-callback', withCallbacks({ duplicate: true, stale: true })],
    ['p+no-callback', withCallbacks({ withheld: true })],
    ['p+new-order', { newOrderOnRepeat: true }],
    [
      'P+DECLINE+Instant',
      { answer: 'instant', final: { status: 5, reason_code: '051', reason: 'Insufficient funds' } },
    ],
    ['p+decline+success', { final: { status: 4 } }],
  ])('%s', (customerId, expected) => {
    expect(parseScenario(customerId)).toEqual({ ...base, ...expected });
  });

  test('the part before the first + is never read as a directive', () => {
    expect(parseScenario('decline')).toEqual(base);
  });
});
