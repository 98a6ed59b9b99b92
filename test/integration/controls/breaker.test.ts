import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { waitForAll } from '../../helpers/wait-all.js';

/**
 * The circuit breaker end to end: the sandbox's fault markers make one payment_system's gateway
 * answer nothing useful, while another's payouts keep flowing.
 */

const COOLDOWN_MS = 10_000;
const NOTIFY_SECRET = `notify-${randomBytes(8).toString('hex')}`;

let sys: TestSystem;
let receiver: http.Server;
/** The operator events delivered to NOTIFY_URL, with a valid signature. */
const events: { event: string; payment_system?: string }[] = [];

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = `sha256=${createHmac('sha256', NOTIFY_SECRET).update(body).digest('hex')}`;
      if (req.headers['x-payout-signature'] !== signature) return res.writeHead(401).end();
      const parsed = JSON.parse(body) as { event: string; payment_system?: string };
      if (parsed.event.startsWith('payment_system.')) events.push(parsed);
      return res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  sys = await startTestSystem({
    env: {
      BREAKER_THRESHOLD: '3',
      BREAKER_WINDOW_MS: '60000',
      BREAKER_COOLDOWN_MS: String(COOLDOWN_MS),
      NOTIFY_URL: `http://127.0.0.1:${port}/notify`,
      NOTIFY_SECRET,
    },
  });
});
afterAll(async () => {
  await sys?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

const id = (tag: string) => `${tag}-${randomBytes(6).toString('hex')}`;
const requestsAtSandbox = (externalId: string) => sys.sandbox.received(externalId)?.requests ?? 0;

async function enqueue(paymentSystem: string, n: number, customerId = 'test'): Promise<string[]> {
  const ids = Array.from({ length: n }, () => id(paymentSystem.toLowerCase().replaceAll('_', '')));
  for (const externalId of ids) {
    const body = cardPayout({
      external_id: externalId,
      payment_system: paymentSystem,
      customer: { customer_id: customerId, country: 'LV', first_name: 'A', last_name: 'B' },
    });
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
  }
  return ids;
}

async function waitUntil<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const succeeded = (p: { status: string }) => p.status === 'succeeded';

/** When a payout was first taken to be sent (epoch ms), from its history. */
const firstClaimAt = (p: { history: { to: string; at: string }[] }) =>
  Date.parse(p.history.find((h) => h.to === 'sending')!.at);

describe('circuit breaker per payment_system', () => {
  test('a burst of connections lost without an answer opens it; another system flows; the probe closes it', async () => {
    const down = `DOWN_${randomBytes(3).toString('hex')}`;
    const breaker = () => sys.system.controls.breakers.of(down);
    // Each request arrives and its connection is dropped without an answer: outcome unknown.
    const burst = await enqueue(down, 3, 'burst+drop');
    const opened = await waitUntil('the breaker', breaker, (b) => b.state === 'open');
    const until = Date.parse(opened.until!);

    const waiting = await enqueue(down, 10);
    const flowing = await enqueue('TEST_PS', 10);
    const view = (await sys.request('GET', `/v1/payouts/${waiting[0]}`)).body;
    expect(view).toMatchObject({
      status: 'queued',
      attempts: 0,
      hold: { reason: 'breaker_open', payment_system: down, until: opened.until },
    });

    // The other system's payouts are sent during the cool-down.
    const flowed = await waitForAll(sys, flowing, succeeded);
    expect(flowed.filter((p) => firstClaimAt(p) >= until)).toEqual([]);
    // After the cool-down one payout probes; the gateway answers, the breaker closes, all are sent:
    // none before the cool-down ended, each once, with one attempt (none used while it was open).
    const done = await waitForAll(sys, waiting, succeeded);
    expect(done.filter((p) => firstClaimAt(p) < until)).toEqual([]);
    expect(done.map((p) => p.attempts)).toEqual(waiting.map(() => 1));
    expect(waiting.map(requestsAtSandbox)).toEqual(waiting.map(() => 1));
    expect((await breaker()).state).toBe('closed');
    // The burst's own payouts went to review (the gateway may have them) and were settled by its
    // callbacks: nothing failed because of the breaker, nothing was sent twice.
    const burstDone = await waitForAll(sys, burst, succeeded);
    expect(burstDone.map((p) => p.attempts)).toEqual(burst.map(() => 1));
    expect(burst.map(requestsAtSandbox)).toEqual(burst.map(() => 1));

    const text = sys.logs.join('\n');
    expect(text).toContain(`circuit breaker of ${down} opened`);
    expect(text).toContain(`circuit breaker of ${down} closed`);
    const forDown = () => events.filter((e) => e.payment_system === down).map((e) => e.event);
    await waitUntil(
      'the operator events',
      async () => forDown(),
      (e) => e.length >= 2,
    );
    expect(forDown()).toEqual(['payment_system.breaker_opened', 'payment_system.breaker_closed']);
  });

  test('/metrics shows each breaker and each pause', async () => {
    const down = `METRICS_${randomBytes(3).toString('hex')}`;
    for (let i = 0; i < 3; i++) await sys.system.controls.breakers.attempted(down, 'no_answer', 'po-m');
    await sys.system.controls.pauses.pause('METRICS_PS', { who: 'ops', via: 'api' as const });
    const text = await (await fetch(`${sys.api}/metrics`)).text();
    expect(text).toContain('payouts_payment_system_paused{payment_system="METRICS_PS"} 1');
    expect(text).toContain(`payouts_breaker_state{payment_system="${down}",state="open"} 1`);
    expect(text).toContain(`payouts_breaker_state{payment_system="${down}",state="closed"} 0`);
    expect(text).toContain(`payouts_breaker_consecutive_failures{payment_system="${down}"} 3`);
    expect(text).toMatch(
      /payouts_breaker_changes_total\{payment_system="DOWN_[0-9a-f]+",change="opened"\} 1/,
    );
    await sys.system.controls.pauses.resume('METRICS_PS', { who: 'ops', via: 'api' as const });
    await sys.system.controls.breakers.attempted(down, 'answered', 'po-m');
  });
});
