import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createGatewayClient } from '../../../src/gateway/client.js';
import { verify } from '../../../src/gateway/signature.js';
import type { GatewayRequest } from '../../../src/methods/index.js';
import { CALLBACK_RETRY_DELAYS_MS, createSandbox, type Sandbox } from '../../../src/sandbox/index.js';

/** Callbacks with compressed time: signed, on the schedule, until `{"result":"ok"}`. */

const MERCHANT_KEY = 'callbacks-key';
const SALT = 'callbacks-salt';
/** 45 s becomes 45 ms, 2 min 120 ms, 5 min 300 ms, 10 min 600 ms, 30 min 1.8 s. */
const SCALE = 0.001;

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface Received {
  body: Record<string, unknown>;
  at: number;
}

/** A callback receiver whose answer depends on the attempt number (0-based). */
async function receiver(
  answer: (n: number, body: Record<string, unknown>) => { status: number; body: string },
  port = 0,
): Promise<{ url: string; received: Received[]; port: number }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      const reply = answer(received.length, body);
      received.push({ body, at: Date.now() });
      res.writeHead(reply.status, { 'Content-Type': 'application/json' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const actual = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${actual}/v1/callbacks/gateway`, received, port: actual };
}

const OK = { status: 200, body: '{"result":"ok"}' };

async function sandbox(callbackUrl: string, timeScale = SCALE): Promise<{ sb: Sandbox; url: string }> {
  const sb = createSandbox({ merchantKey: MERCHANT_KEY, salt: SALT, callbackUrl, timeScale });
  const url = await sb.listen(0, '127.0.0.1');
  closers.push(() => sb.close());
  return { sb, url };
}

async function send(url: string, customerId: string, externalId: string) {
  const client = createGatewayClient({
    baseUrl: url,
    merchantKey: MERCHANT_KEY,
    salt: SALT,
    timeoutMs: 5000,
    connectTimeoutMs: 1000,
  });
  closers.push(() => client.close());
  const request: GatewayRequest = {
    payment_system: 'TEST_PS',
    external_id: externalId,
    amount: 2500,
    currency: 'EUR',
    customer: { customer_id: customerId, country: 'LV', first_name: 'A', last_name: 'B' },
    payment_data: { phone: '994934331504' },
  };
  return client.payout(request);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the callback schedule', () => {
  test('the schedule is the gateway’s: 45 s, 2, 5, 10, 30 min, then hourly for 24 h', () => {
    expect(CALLBACK_RETRY_DELAYS_MS.slice(0, 6)).toEqual([
      45_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000,
    ]);
    expect(CALLBACK_RETRY_DELAYS_MS.filter((d) => d === 3_600_000)).toHaveLength(24);
  });

  test('a signed callback with the gateway’s fields; acknowledged at once, sent once', async () => {
    const cb = await receiver(() => OK);
    const { sb, url } = await sandbox(cb.url);
    const outcome = await send(url, 'p+decline=054+instant', 'po-cb-1');
    expect(outcome).toMatchObject({ kind: 'final' });
    await expect.poll(() => cb.received.length).toBe(1);
    const body = cb.received[0]!.body;
    expect(body).toEqual({
      status: 5,
      type: 2,
      external_id: 'po-cb-1',
      order_id: outcome.kind === 'final' ? outcome.answer.order_id : '',
      amount: 2500,
      currency: 'EUR',
      customer_id: 'p+decline=054+instant',
      reason_code: '054',
      reason: 'Expired card',
      signature: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(verify(body, SALT)).toBe(true);
    await sleep(CALLBACK_RETRY_DELAYS_MS[0]! * SCALE * 3);
    expect(cb.received).toHaveLength(1);
    expect(sb.received('po-cb-1')?.order?.callbacks).toEqual([
      { status: 5, attempts: [{ at: expect.any(String), result: 'ok' }], acknowledged: true, gaveUp: false },
    ]);
  });

  test('continues on 500, on 200 with another body, on connection refused; stops on {"result":"ok"}', async () => {
    const port = await freePort();
    const { sb, url } = await sandbox(`http://127.0.0.1:${port}/v1/callbacks/gateway`);
    await send(url, 'p+instant', 'po-cb-2');
    // Nothing listens yet: the first attempt is refused.
    await expect
      .poll(() => sb.received('po-cb-2')?.order?.callbacks[0]?.attempts.length ?? 0, { interval: 2 })
      .toBeGreaterThanOrEqual(1);
    const answers = [
      { status: 500, body: '{"error":"busy"}' },
      { status: 200, body: '{"result":"later"}' },
      { status: 200, body: 'ok' },
      OK,
    ];
    const cb = await receiver((n) => answers[n] ?? OK, port);
    await expect
      .poll(() => sb.received('po-cb-2')?.order?.callbacks[0]?.acknowledged, { timeout: 5000 })
      .toBe(true);

    const attempts = sb.received('po-cb-2')!.order!.callbacks[0]!.attempts;
    const results = attempts.map((a) => a.result);
    const refused = results.filter((r) => r === 'network_error:ECONNREFUSED').length;
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(results).toEqual([
      ...Array(refused).fill('network_error:ECONNREFUSED'),
      'http_500',
      'not_ok_body',
      'not_ok_body',
      'ok',
    ]);
    // Each gap is at least the scheduled one.
    const times = attempts.map((a) => Date.parse(a.at));
    for (let i = 1; i < times.length; i++) {
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(CALLBACK_RETRY_DELAYS_MS[i - 1]! * SCALE - 5);
    }
    // And nothing after the acknowledgement: the next slot would have come well within this wait.
    const count = cb.received.length;
    await sleep(CALLBACK_RETRY_DELAYS_MS[attempts.length - 1]! * SCALE + 300);
    expect(cb.received.length).toBe(count);
    expect(sb.received('po-cb-2')!.order!.callbacks).toHaveLength(1);
  });

  test('gives up after the last slot of the schedule', async () => {
    const cb = await receiver(() => ({ status: 500, body: '' }));
    // Scaled so that 24 h 47 min pass in about 0.9 s.
    const { sb, url } = await sandbox(cb.url, 0.00001);
    await send(url, 'p+instant', 'po-cb-3');
    await expect
      .poll(() => sb.received('po-cb-3')?.order?.callbacks[0]?.gaveUp, { timeout: 10_000, interval: 50 })
      .toBe(true);
    expect(cb.received).toHaveLength(CALLBACK_RETRY_DELAYS_MS.length + 1);
  });
});

describe('callback scenarios', () => {
  test('default: accepted (1) in the answer, SUCCESS by callback after the scaled delay', async () => {
    const cb = await receiver(() => OK);
    const { url } = await sandbox(cb.url);
    await expect(send(url, 'p', 'po-cs-1')).resolves.toMatchObject({
      kind: 'accepted',
      answer: { status: 1 },
    });
    await expect.poll(() => cb.received.map((r) => r.body.status)).toEqual([4]);
  });

  test('unknown (7) in the answer, then the final by callback', async () => {
    const cb = await receiver(() => OK);
    const { url } = await sandbox(cb.url);
    await expect(send(url, 'p+unknown+error', 'po-cs-2')).resolves.toMatchObject({ kind: 'unknown_status' });
    await expect
      .poll(() => cb.received.map((r) => [r.body.status, r.body.reason_code]))
      .toEqual([[6, '096']]);
  });

  test('early-callback: the callback arrives before the HTTP answer', async () => {
    let answersAtCallback: unknown;
    let sb: Sandbox | undefined;
    const cb = await receiver(() => {
      answersAtCallback = sb?.received('po-cs-3')?.answers;
      return OK;
    });
    const started = await sandbox(cb.url);
    sb = started.sb;
    const outcome = await send(started.url, 'p+early-callback', 'po-cs-3');
    expect(cb.received.map((r) => r.body.status)).toEqual([4]);
    expect(answersAtCallback).toEqual([]);
    expect(outcome).toMatchObject({ kind: 'accepted', answer: { status: 1 } });
  });

  test('early-callback with instant: the final callback still comes first', async () => {
    const cb = await receiver(() => OK);
    const { url } = await sandbox(cb.url);
    const outcome = await send(url, 'p+decline+instant+early-callback', 'po-cs-3b');
    expect(cb.received.map((r) => r.body.status)).toEqual([5]);
    expect(outcome).toMatchObject({ kind: 'final', answer: { status: 5 } });
  });

  test('dup-callback: the final callback is delivered twice', async () => {
    const cb = await receiver(() => OK);
    const { url } = await sandbox(cb.url);
    await send(url, 'p+instant+dup-callback', 'po-cs-4');
    await expect.poll(() => cb.received.map((r) => r.body.status)).toEqual([4, 4]);
    expect(cb.received[0]!.body).toEqual(cb.received[1]!.body);
  });

  test('stale-callback: PROCESSING (3) arrives after SUCCESS', async () => {
    const cb = await receiver(() => OK);
    const { url } = await sandbox(cb.url);
    await send(url, 'p+instant+stale-callback', 'po-cs-5');
    await expect.poll(() => cb.received.map((r) => r.body.status)).toEqual([4, 3]);
    expect(verify(cb.received[1]!.body, SALT)).toBe(true);
  });

  test('no-callback: nothing arrives; only the status endpoint knows', async () => {
    const cb = await receiver(() => OK);
    const { sb, url } = await sandbox(cb.url);
    const outcome = await send(url, 'p+decline+no-callback+delay=20', 'po-cs-6');
    await expect.poll(() => sb.received('po-cs-6')?.order?.status).toBe(5);
    await sleep(100);
    expect(cb.received).toHaveLength(0);
    const client = createGatewayClient({
      baseUrl: url,
      merchantKey: MERCHANT_KEY,
      salt: SALT,
      timeoutMs: 1000,
      connectTimeoutMs: 1000,
    });
    closers.push(() => client.close());
    const orderId = outcome.kind === 'accepted' ? outcome.answer.order_id : '';
    await expect(client.status(orderId)).resolves.toMatchObject({ kind: 'final', answer: { status: 5 } });
  });

  test('close() stops pending callbacks', async () => {
    const cb = await receiver(() => ({ status: 500, body: '' }));
    const { sb, url } = await sandbox(cb.url, 0.01);
    await send(url, 'p+instant', 'po-cs-7');
    await expect.poll(() => cb.received.length).toBe(1);
    await sb.close();
    await sleep(CALLBACK_RETRY_DELAYS_MS[0]! * 0.01 + 200);
    expect(cb.received).toHaveLength(1);
  });
});
