import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createGatewayClient,
  type GatewayClient,
  type GatewayClientOptions,
} from '../../../src/gateway/client.js';
import type { GatewayOutcome } from '../../../src/gateway/outcome.js';
import type { GatewayRequest } from '../../../src/methods/index.js';
import { createSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { CLOSED_PORT } from '../../helpers/system.js';

/** The client against the sandbox over real HTTP: one case per outcome class, and the sandbox's rules. */

const MERCHANT_KEY = 'client-sandbox-key';
const SALT = 'client-sandbox-salt';

let replay: Sandbox;
let refuse: Sandbox;
let replayUrl: string;
let refuseUrl: string;
const clients: GatewayClient[] = [];

beforeAll(async () => {
  replay = createSandbox({ merchantKey: MERCHANT_KEY, salt: SALT, timeScale: 0.001, duplicates: 'replay' });
  refuse = createSandbox({ merchantKey: MERCHANT_KEY, salt: SALT, timeScale: 0.001, duplicates: 'refuse' });
  replayUrl = await replay.listen(0, '127.0.0.1');
  refuseUrl = await refuse.listen(0, '127.0.0.1');
});

afterAll(async () => {
  for (const c of clients) c.close();
  await replay.close();
  await refuse.close();
});

function client(baseUrl: string, options: Partial<GatewayClientOptions> = {}): GatewayClient {
  const c = createGatewayClient({
    baseUrl,
    merchantKey: MERCHANT_KEY,
    salt: SALT,
    timeoutMs: 500,
    connectTimeoutMs: 500,
    ...options,
  });
  clients.push(c);
  return c;
}

let seq = 0;
function payout(customerId = 'player-1', more: Partial<GatewayRequest> = {}): GatewayRequest {
  seq += 1;
  return {
    payment_system: 'TEST_PS',
    external_id: `po-cs-${seq}`,
    amount: 1000,
    currency: 'USD',
    customer: { customer_id: customerId, country: 'LV', first_name: 'A', last_name: 'B' },
    payment_data: {
      card_number: '4111111111111111',
      card_holder: 'John Doe',
      exp_year: '2030',
      exp_month: '06',
    },
    ...more,
  };
}

describe('one outcome class each', () => {
  test.each<[string, string, Partial<GatewayOutcome>]>([
    [
      'accepted (default: pending)',
      'p',
      { kind: 'accepted', answer: expect.objectContaining({ status: 1 }) },
    ],
    [
      'final success (instant)',
      'p+instant',
      { kind: 'final', answer: expect.objectContaining({ status: 4 }) },
    ],
    [
      'final decline (instant) with its reason',
      'p+decline+instant',
      {
        kind: 'final',
        answer: expect.objectContaining({ status: 5, reason_code: '051', reason: 'Insufficient funds' }),
      },
    ],
    [
      'final error (instant)',
      'p+error+instant',
      { kind: 'final', answer: expect.objectContaining({ status: 6 }) },
    ],
    [
      'unknown_status',
      'p+unknown',
      { kind: 'unknown_status', answer: expect.objectContaining({ status: 7 }) },
    ],
    [
      'retry_later 503',
      'p+503x1+retry-after=2',
      { kind: 'retry_later', httpStatus: 503, retryAfterMs: 2000 },
    ],
    ['retry_later 429', 'p+429x1', { kind: 'retry_later', httpStatus: 429, retryAfterMs: 1000 }],
    ['unknown: 500 after the order was created', 'p+500', { kind: 'unknown', httpStatus: 500 }],
    ['unknown: connection dropped after the order was created', 'p+drop', { kind: 'unknown' }],
    ['unknown: slow answer, read timeout', 'p+slow=1500', { kind: 'unknown', code: 'read_timeout' }],
  ])('%s', async (_name, customerId, expected) => {
    const request = payout(customerId);
    const outcome = await client(replayUrl).payout(request);
    expect(outcome).toMatchObject(expected);
    // Every one of them reached the sandbox exactly once.
    expect(replay.received(request.external_id)).toMatchObject({ requests: 1 });
  });

  test('rejected: a validation error names the field', async () => {
    const request = payout('p', {
      payment_data: { card_number: '4111111111111111', exp_year: '2030', exp_month: '06' },
    });
    const outcome = await client(replayUrl).payout(request);
    expect(outcome).toMatchObject({ kind: 'rejected', httpStatus: 422, code: 'validation_failed' });
    expect((outcome as { message: string }).message).toContain('payment_data.card_holder');
    expect(replay.received(request.external_id)).toMatchObject({ requests: 1, created: 0 });
  });

  test('rejected: a signature made with another salt is a 401', async () => {
    const outcome = await client(replayUrl, { salt: 'not-the-salt' }).payout(payout());
    expect(outcome).toMatchObject({ kind: 'rejected', httpStatus: 401, code: 'invalid_signature' });
  });

  test('rejected: a wrong MERCHANT_KEY is a 401', async () => {
    const outcome = await client(replayUrl, { merchantKey: 'not-the-key' }).payout(payout());
    expect(outcome).toMatchObject({ kind: 'rejected', httpStatus: 401, code: 'unauthorized' });
  });

  test('duplicate: a second send under duplicates=refuse', async () => {
    const request = payout();
    const c = client(refuseUrl);
    await expect(c.payout(request)).resolves.toMatchObject({ kind: 'accepted' });
    await expect(c.payout(request)).resolves.toMatchObject({ kind: 'duplicate', httpStatus: 409 });
    expect(refuse.received(request.external_id)).toMatchObject({
      requests: 2,
      created: 1,
      answers: [200, 409],
    });
  });

  test('replay: a second send under duplicates=replay gets the same order', async () => {
    const request = payout();
    const c = client(replayUrl);
    const first = await c.payout(request);
    const second = await c.payout(request);
    expect(second).toEqual(first);
    expect(replay.received(request.external_id)).toMatchObject({ requests: 2, created: 1, sameBody: true });
  });

  test('not_sent: the sandbox is not listening', async () => {
    await expect(client(`http://127.0.0.1:${CLOSED_PORT}`).payout(payout())).resolves.toMatchObject({
      kind: 'not_sent',
      code: 'ECONNREFUSED',
    });
  });
});

describe('the other endpoints', () => {
  test('status follows the order to its final state', async () => {
    const request = payout('p+decline');
    const c = client(replayUrl);
    const created = await c.payout(request);
    expect(created.kind).toBe('accepted');
    const orderId = created.kind === 'accepted' ? created.answer.order_id : '';
    await expect
      .poll(() => c.status(orderId).then((o) => o.kind), { timeout: 2000, interval: 20 })
      .toBe('final');
    await expect(c.status(orderId)).resolves.toEqual({
      kind: 'final',
      answer: {
        status: 5,
        type: 2,
        external_id: request.external_id,
        order_id: orderId,
        reason_code: '051',
        reason: 'Insufficient funds',
      },
    });
  });

  test('status of an unknown order is rejected (404)', async () => {
    await expect(client(replayUrl).status('123')).resolves.toMatchObject({
      kind: 'rejected',
      httpStatus: 404,
    });
  });

  test('deposit: accepted with a redirect to the sandbox page', async () => {
    const request = payout('p', {
      payment_data: {
        card_number: '4111111111111111',
        card_holder: 'John Doe',
        exp_year: '2030',
        exp_month: '06',
        cvv: '123',
      },
    });
    const outcome = await client(replayUrl).deposit(request);
    expect(outcome).toMatchObject({ kind: 'accepted', answer: { status: 3, type: 1 } });
    const redirect = outcome.kind === 'accepted' ? outcome.answer.redirect : undefined;
    expect(redirect).toMatch(new RegExp(`^${replayUrl}/sandbox/pay/\\d{30}$`));
    const page = await fetch(redirect!);
    expect(page.status).toBe(200);
  });

  test('balances: parsed JSON', async () => {
    await expect(client(replayUrl).balances()).resolves.toMatchObject({
      kind: 'ok',
      balances: { balances: expect.any(Array) },
    });
  });

  test('balances with a wrong key: rejected', async () => {
    await expect(client(replayUrl, { merchantKey: 'nope' }).balances()).resolves.toMatchObject({
      kind: 'rejected',
      httpStatus: 401,
    });
  });

  test('onResult sees every call with its outcome kind', async () => {
    const seen: [string, string][] = [];
    const c = client(replayUrl, { onResult: (endpoint, kind) => seen.push([endpoint, kind]) });
    await c.payout(payout());
    await c.status('1');
    await c.balances();
    expect(seen).toEqual([
      ['payout', 'accepted'],
      ['status', 'rejected'],
      ['balances', 'ok'],
    ]);
  });

  test('the card in a payout answer is masked before the client returns it', async () => {
    const outcome = await client(replayUrl).payout(payout());
    expect(outcome).toMatchObject({
      kind: 'accepted',
      answer: { display_data: { card: '411111******1111' } },
    });
  });
});
