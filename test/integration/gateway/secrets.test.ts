import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createGatewayClient, type GatewayClient } from '../../../src/gateway/client.js';
import type { GatewayOutcome } from '../../../src/gateway/outcome.js';
import { canonicalString, sign } from '../../../src/gateway/signature.js';
import type { GatewayRequest } from '../../../src/methods/index.js';
import { createSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { captureLogger } from '../../helpers/capture-log.js';
import { CLOSED_PORT } from '../../helpers/system.js';

/**
 * No outcome and no log line of the client or the sandbox holds the card number, the merchant key,
 * the salt, the signature or the signed string, whatever happens. The loggers are given no secrets
 * to scrub, so that a leak shows.
 */

const MERCHANT_KEY = 'mk-live-7f3a9c1e5b';
const SALT = 'salt-4d8e2a6c0f';
const CARD = '4111111111111111';
const CARD_SPACED = '4111 1111 1111 1111';

const clientLog = captureLogger();
const sandboxLog = captureLogger();
let sandbox: Sandbox;
let sandboxUrl: string;
let echoUrl: string;
let echo: http.Server;
const clients: GatewayClient[] = [];
const outcomes: unknown[] = [];

beforeAll(async () => {
  sandbox = createSandbox({
    merchantKey: MERCHANT_KEY,
    salt: SALT,
    timeScale: 0.001,
    logger: sandboxLog.logger,
  });
  sandboxUrl = await sandbox.listen(0, '127.0.0.1');
  // A hostile gateway: it echoes our request, headers and all, in every field it can.
  echo = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const everything = `${JSON.stringify(req.headers)} ${body}`;
      const mode = req.url?.startsWith('/status/') ? 200 : Number(req.url?.split('/')[1]);
      res.writeHead(mode, { 'Content-Type': 'application/json' });
      res.end(
        mode === 200
          ? JSON.stringify({
              status: 5,
              order_id: '1',
              reason: everything,
              display_data: { card: CARD, note: everything, other: CARD_SPACED },
            })
          : JSON.stringify({ error: { code: 'echo', message: everything }, message: everything }),
      );
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await sandbox.close();
  echo.closeAllConnections();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

function client(baseUrl: string, timeoutMs = 500): GatewayClient {
  const c = createGatewayClient({
    baseUrl,
    merchantKey: MERCHANT_KEY,
    salt: SALT,
    timeoutMs,
    connectTimeoutMs: 500,
    logger: clientLog.logger,
  });
  clients.push(c);
  return c;
}

let seq = 0;
const request = (customerId: string, more: Partial<GatewayRequest> = {}): GatewayRequest => ({
  payment_system: 'TEST_PS',
  external_id: `po-sec-${++seq}`,
  amount: 1000,
  currency: 'USD',
  customer: { customer_id: customerId, country: 'LV', first_name: 'A', last_name: 'B' },
  payment_data: { card_number: CARD, card_holder: 'John Doe', exp_year: '2030', exp_month: '06' },
  ...more,
});

const forbidden = (r: GatewayRequest) => [
  CARD,
  CARD_SPACED,
  MERCHANT_KEY,
  SALT,
  sign(r, SALT),
  canonicalString(r),
  `card_number:${CARD}`,
];

function expectClean(value: unknown, r: GatewayRequest) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  for (const secret of forbidden(r)) expect(text).not.toContain(secret);
}

async function run(c: GatewayClient, r: GatewayRequest): Promise<GatewayOutcome> {
  const outcome = await c.payout(r);
  outcomes.push(outcome);
  expectClean(outcome, r);
  return outcome;
}

describe('through the sandbox, every outcome class', () => {
  test.each([
    ['accepted, with the card echoed in display_data', 'p', 'accepted'],
    ['final decline', 'p+decline+instant', 'final'],
    ['unknown_status', 'p+unknown', 'unknown_status'],
    ['retry_later', 'p+503x1', 'retry_later'],
    ['unknown: 500', 'p+500', 'unknown'],
    ['unknown: dropped', 'p+drop', 'unknown'],
    ['unknown: read timeout', 'p+slow=1200', 'unknown'],
  ])('%s', async (_name, customerId, kind) => {
    const r = request(customerId);
    expect((await run(client(sandboxUrl), r)).kind).toBe(kind);
  });

  test('rejected: validation (with the card in the body)', async () => {
    const r = request('p', { payment_data: { card_number: CARD, exp_year: '2030', exp_month: '06' } });
    expect((await run(client(sandboxUrl), r)).kind).toBe('rejected');
  });

  test('rejected: wrong key; duplicate', async () => {
    const r = request('p');
    const wrongKey = createGatewayClient({
      baseUrl: sandboxUrl,
      merchantKey: `${MERCHANT_KEY}-old`,
      salt: SALT,
      timeoutMs: 500,
      connectTimeoutMs: 500,
      logger: clientLog.logger,
    });
    clients.push(wrongKey);
    const outcome = await wrongKey.payout(r);
    expect(outcome.kind).toBe('rejected');
    expectClean(outcome, r);
  });

  test('not_sent: connection refused', async () => {
    const r = request('p');
    expect((await run(client(`http://127.0.0.1:${CLOSED_PORT}`), r)).kind).toBe('not_sent');
  });
});

describe('a gateway that echoes everything back', () => {
  test.each([400, 401, 409, 422, 500, 502, 503])('HTTP %i', async (status) => {
    const r = request('p');
    // The echo server answers with the status named by the base URL's first path segment.
    await run(client(`${echoUrl}/${status}`), r);
  });

  test('a 2xx whose reason and display_data quote the request', async () => {
    const r = request('p');
    const c = client(echoUrl);
    const outcome = await c.status('1');
    outcomes.push(outcome);
    expect(outcome.kind).toBe('final');
    expectClean(outcome, r);
    expect(JSON.stringify(outcome)).toContain('411111******1111');
  });
});

describe('the logs', () => {
  test('the client logged every call, and no line holds a secret', () => {
    const text = clientLog.text();
    expect(clientLog.lines.length).toBeGreaterThanOrEqual(outcomes.length);
    expect(text).toContain('po-sec-');
    for (const secret of [CARD, CARD_SPACED, MERCHANT_KEY, SALT]) expect(text).not.toContain(secret);
    expect(text).not.toContain('card_number');
    expect(text).not.toMatch(/[0-9a-f]{40}/);
  });

  test('the sandbox logged what it did, and no line holds a secret', () => {
    const text = sandboxLog.text();
    expect(text).toContain('sandbox order created');
    for (const secret of [CARD, CARD_SPACED, MERCHANT_KEY, SALT]) expect(text).not.toContain(secret);
    expect(text).not.toContain('card_number');
    expect(text).not.toMatch(/[0-9a-f]{40}/);
  });
});
