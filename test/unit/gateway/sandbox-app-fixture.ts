import { afterEach } from 'vitest';
import { withSignature } from '../../../src/gateway/signature.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox/index.js';

/**
 * What the sandbox app's tests share: sandboxes driven through `inject` (nothing listens), closed
 * after each test, and the requests they are sent.
 */

export const MERCHANT_KEY = 'sandbox-test-key';
export const SALT = 'sandbox-test-salt';
export const CARD = '4111111111111111';

/**
 * Registers the calling file's afterEach, which closes every sandbox the test made, and returns the
 * way to make them with the requests they are sent.
 */
export function useSandboxApp() {
  const sandboxes: Sandbox[] = [];
  afterEach(async () => {
    for (const s of sandboxes.splice(0)) await s.close();
  });
  function sandbox(options: Partial<SandboxOptions> = {}): Sandbox {
    const s = createSandbox({ merchantKey: MERCHANT_KEY, salt: SALT, timeScale: 0.001, ...options });
    sandboxes.push(s);
    return s;
  }
  return { sandbox, payout, post, signed, sendPayout };
}

export const payout = (externalId: string, customerId = 'c-1', more: Record<string, unknown> = {}) => ({
  payment_system: 'TEST_PS',
  external_id: externalId,
  amount: 1000,
  currency: 'USD',
  customer: { customer_id: customerId, country: 'LV', first_name: 'A', last_name: 'B' },
  payment_data: { card_number: CARD, card_holder: 'John Doe', exp_year: '2030', exp_month: '06' },
  ...more,
});

export function post(s: Sandbox, url: string, body: unknown, headers: Record<string, string> = {}) {
  return s.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', merchant_key: MERCHANT_KEY, ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
export const signed = (body: Record<string, unknown>) => withSignature(body, SALT);
export const sendPayout = (s: Sandbox, body: Record<string, unknown>) =>
  post(s, '/v2/payment/payout/', signed(body));
