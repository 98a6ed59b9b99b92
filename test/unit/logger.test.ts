import { describe, expect, test } from 'vitest';
import { canonicalString } from '../../src/gateway/signature.js';
import { maskCardNumbers } from '../../src/logger.js';
import { captureLogger } from '../helpers/capture-log.js';

const CARD = '4111111111111111';
const CVV = '737';
const PASSWORD = 'jDgBvkukPAPJXiAg';
const MERCHANT_KEY = 'test-merchant-key-3f9a';
const SALT = 'test-salt-b7c1';
const PAYLOAD_KEY = Buffer.alloc(32, 9).toString('base64');
const secrets = [MERCHANT_KEY, SALT, PAYLOAD_KEY];
const forbidden = [CARD, `"${CVV}"`, PASSWORD, MERCHANT_KEY, SALT, PAYLOAD_KEY];

const request = {
  method: 'bank_card',
  payment_system: 'TEST_PS',
  external_id: 'po-1',
  amount: 1000,
  currency: 'USD',
  customer: { customer_id: 'c', country: 'LV', first_name: 'A', last_name: 'B' },
  payment_data: { card_number: CARD, card_holder: 'John Doe', exp_year: '2030', exp_month: '06', cvv: CVV },
};

const axiosLikeError = Object.assign(new Error(`Request failed for card ${CARD}`), {
  code: 'ECONNRESET',
  config: { headers: { MERCHANT_KEY, 'Content-Type': 'application/json' }, data: JSON.stringify(request) },
  request: { _header: `POST /v2/payment/payout/ HTTP/1.1\r\nMERCHANT_KEY: ${MERCHANT_KEY}` },
  response: { data: { display_data: { card: CARD } } },
});

describe('logger', () => {
  test.each([
    ['a full payout request', () => ({ request })],
    ['a request nested deeper', () => ({ job: { data: { request } } })],
    ['the request as the message object', () => request],
    ['an axios-like error', () => ({ err: axiosLikeError })],
    ['a signed string', () => ({ debug: canonicalString(request) + SALT })],
    ['headers', () => ({ headers: { MERCHANT_KEY, authorization: `Bearer ${MERCHANT_KEY}` } })],
    ['a wallet password', () => ({ payment: { wallet: 'U000060', password: PASSWORD } })],
    ['a secret in free text', () => ({ note: `key=${MERCHANT_KEY} salt=${SALT} pk=${PAYLOAD_KEY}` })],
  ])('%s prints no card number, cvv, password, key or salt', (_name, make) => {
    const { logger, text, lines } = captureLogger({ secrets });
    logger.info(make(), `message about card ${CARD}`);
    logger.error(axiosLikeError, 'failed');
    expect(lines.length).toBe(2);
    for (const value of forbidden) expect(text()).not.toContain(value);
    expect(text()).toContain('411111******1111');
  });

  test('lines stay valid JSON with an ISO time', () => {
    const { logger, lines } = captureLogger();
    logger.info({ external_id: 'po-9', attempt: 2 }, 'moved');
    const line = JSON.parse(lines[0]!);
    expect(line.external_id).toBe('po-9');
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  test.each([
    ['4111111111111111', '411111******1111'],
    ['card 4111 1111 1111 1111 end', 'card 411111******1111 end'],
    ['5500-0000-0000-0004', '550000******0004'],
    ['4111111111111112', '4111111111111112'], // fails Luhn: not a card
    ['order 175940104728974362446178589779', 'order 175940104728974362446178589779'], // 30 digits
    ['123456789012', '123456789012'], // too short
    ['2026-11-24', '2026-11-24'],
  ])('maskCardNumbers(%j) = %j', (input, expected) => {
    expect(maskCardNumbers(input)).toBe(expected);
  });
});
