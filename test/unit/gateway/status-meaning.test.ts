import { expect, test } from 'vitest';
import { type GatewayStatusCode, statusMeaning } from '../../../src/gateway/outcome.js';
import { eventForStatus } from '../../../src/payout/gateway-report.js';

test.each([
  [1, 'pending', 'gateway_pending'],
  [2, 'pending', 'gateway_pending'],
  [3, 'pending', 'gateway_pending'],
  [4, 'success', 'gateway_success'],
  [5, 'failure', 'gateway_failure'],
  [6, 'failure', 'gateway_failure'],
  [7, 'unknown', 'gateway_unknown'],
] as const)('gateway status %i means %s: payout event %s', (status, meaning, event) => {
  expect(statusMeaning(status)).toBe(meaning);
  expect(eventForStatus(status)).toBe(event);
});

test('a status the gateway never documented is refused, not guessed', () => {
  expect(() => statusMeaning(8 as GatewayStatusCode)).toThrow(/unmapped gateway status 8/);
});
