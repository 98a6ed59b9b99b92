import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDeposits } from '../../../src/deposits/deposits.js';
import { ConflictError } from '../../../src/errors.js';
import { withSignature } from '../../../src/gateway/signature.js';
import { jobIdFor } from '../../../src/methods/index.js';
import { list, status } from '../../../src/ops/commands.js';
import { NOTIFICATIONS_QUEUE, signNotification } from '../../../src/worker/notifier.js';
import { testPayloadKey, testRedis } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { FORBIDDEN_IN_LOGS, startTestSystem, type TestSystem } from '../../helpers/system.js';
import { requestFor } from '../../unit/methods/fixtures.js';

const id = (tag = 'po') => `${tag}-${randomBytes(6).toString('hex')}`;
const withMarker = (marker: string, overrides: Record<string, unknown> = {}) =>
  cardPayout({
    external_id: id(),
    customer: { customer_id: `player${marker}`, country: 'LV', first_name: 'A', last_name: 'B' },
    ...overrides,
  });

/** What the notification receiver got; it refuses the first deliveries of seq 1 of payouts in `refuseFirst`. */
interface Received {
  body: string;
  signature: string | undefined;
  parsed: { event: string; payout: { external_id: string; seq: number; status: string } };
}
let receiver: Server;
const received: Received[] = [];
/** external_id -> how many first deliveries of its seq 1 the receiver refuses (500), and has refused. */
const refuseFirst = new Map<string, number>();
const refused = new Map<string, number>();

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => resolve(data));
  });

const NOTIFY_SECRET = `test-notify-${randomBytes(8).toString('hex')}`;
let sys: TestSystem;

beforeAll(async () => {
  receiver = createServer(async (req, res) => {
    const body = await readBody(req);
    const parsed = JSON.parse(body) as Received['parsed'];
    const id = parsed.payout.external_id;
    if (parsed.payout.seq === 1 && (refused.get(id) ?? 0) < (refuseFirst.get(id) ?? 0)) {
      refused.set(id, (refused.get(id) ?? 0) + 1);
      res.writeHead(500).end('not now');
      return;
    }
    const sig = req.headers['x-payout-signature'];
    received.push({ body, signature: Array.isArray(sig) ? sig[0] : sig, parsed });
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  sys = await startTestSystem({
    env: {
      NOTIFY_URL: `http://127.0.0.1:${port}/hooks/payouts`,
      NOTIFY_SECRET,
      RECONCILE_AFTER_MS: '1000',
      RECONCILE_INTERVAL_MS: '1000',
      REVIEW_DEADLINE_MS: '2500',
    },
  });
});
afterAll(async () => {
  await sys?.close();
  await new Promise((r) => receiver.close(r));
  const text = sys.logs.join('\n');
  for (const secret of FORBIDDEN_IN_LOGS) expect(text).not.toContain(secret);
});

describe('callbacks', () => {
  const callback = (params: Record<string, unknown>, salt = sys.config.gateway.salt) =>
    sys.request('POST', '/v1/callbacks/gateway', withSignature(params, salt), { authorization: '' });

  test.each([
    ['early: before the worker recorded submitted', '+early-callback', 'succeeded', 1],
    ['twice', '+dup-callback', 'succeeded', 2],
    ['out of order: PROCESSING after SUCCESS changes nothing', '+stale-callback', 'succeeded', 2],
    ['a decline', '+decline=054', 'failed', 1],
  ])('%s', async (_name, marker, final, callbacks) => {
    const body = withMarker(marker);
    await sys.request('POST', '/v1/payouts', body);
    const done = await sys.waitFor(body.external_id, (p) => p.status === final);
    // Every callback the sandbox sends for it has been answered, the duplicate and stale ones too.
    await expect
      .poll(
        () => sys.sandbox.received(body.external_id)?.order?.callbacks.filter((c) => c.acknowledged).length,
        { timeout: 10_000 },
      )
      .toBe(callbacks);
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after.status).toBe(final);
    expect(
      after.history.filter((h: { to: string; from: string }) => h.to === final && h.from !== final),
    ).toHaveLength(1);
    expect(after.history.some((h: { contradiction?: boolean }) => h.contradiction)).toBe(false);
    expect(done.order_id).toBeTruthy();
  });

  test('a forged callback changes nothing and is not acknowledged', async () => {
    const body = withMarker('+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    const submitted = await sys.waitFor(body.external_id, (p) => p.status === 'submitted');
    const forged = {
      status: 4,
      type: 2,
      external_id: body.external_id,
      order_id: submitted.order_id,
      amount: 1,
      currency: 'USD',
      customer_id: 'x',
    };
    const bad = await callback(forged, 'not-the-salt');
    expect(bad.status).toBe(401);
    expect(bad.body).not.toEqual({ result: 'ok' });
    const unsigned = await sys.request('POST', '/v1/callbacks/gateway', forged);
    expect(unsigned.status).toBe(401);
    expect((await sys.request('GET', `/v1/payouts/${body.external_id}`)).body.status).toBe('submitted');
  });

  test('a contradiction is recorded, raised and notified, never applied', async () => {
    const body = withMarker('+instant');
    await sys.request('POST', '/v1/payouts', body);
    const done = await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    const res = await callback({
      status: 5,
      type: 2,
      external_id: body.external_id,
      order_id: done.order_id,
      amount: body.amount,
      currency: 'USD',
      customer_id: body.customer.customer_id,
      reason_code: '051',
      reason: 'Insufficient funds',
    });
    expect(res).toEqual({ status: 200, body: { result: 'ok' } });
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after.status).toBe('succeeded');
    expect(after.history.at(-1)).toMatchObject({ contradiction: true, gateway_status: 5, actor: 'callback' });
    expect(sys.logs.some((l) => l.includes('CONTRADICTION') && l.includes(body.external_id))).toBe(true);
    await expect
      .poll(
        () =>
          received.some(
            (r) =>
              r.parsed.event === 'payout.contradiction' && r.parsed.payout.external_id === body.external_id,
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
  });

  test("a decline's reason is kept masked, and a blank order_id leaves the recorded one", async () => {
    const body = withMarker('+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    const submitted = await sys.waitFor(body.external_id, (p) => p.status === 'submitted');
    const res = await callback({
      status: 5,
      type: 2,
      external_id: body.external_id,
      order_id: '',
      amount: body.amount,
      currency: body.currency,
      customer_id: body.customer.customer_id,
      reason_code: '4111111111111111',
      reason: 'card 4111 1111 1111 1111 declined',
    });
    expect(res).toEqual({ status: 200, body: { result: 'ok' } });
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after).toMatchObject({ status: 'failed', order_id: submitted.order_id, gateway_status: 5 });
    expect(after.reason).toBe('card 411111******1111 declined');
    expect(after.reason_code).toBe('411111******1111');
    expect(JSON.stringify(after)).not.toMatch(/4111 ?1111 ?1111 ?1111/);
  });

  test('a callback about another amount or order under our external_id is raised, never applied', async () => {
    const body = withMarker('+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    const submitted = await sys.waitFor(body.external_id, (p) => p.status === 'submitted');
    const same = {
      status: 4,
      type: 2,
      external_id: body.external_id,
      order_id: submitted.order_id,
      amount: body.amount,
      currency: body.currency,
      customer_id: body.customer.customer_id,
    };
    for (const other of [{ amount: body.amount * 100 }, { order_id: '999999999999' }]) {
      expect(await callback({ ...same, ...other })).toEqual({ status: 200, body: { result: 'ok' } });
    }
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after.status).toBe('submitted');
    const raised = after.history.filter((h: { contradiction?: boolean }) => h.contradiction);
    expect(raised.map((h: { reason: string }) => h.reason)).toEqual([
      expect.stringContaining('amount differ'),
      expect.stringContaining('order_id differ'),
    ]);
    // The payout's own callback still settles it.
    expect(await callback(same)).toEqual({ status: 200, body: { result: 'ok' } });
    expect((await sys.request('GET', `/v1/payouts/${body.external_id}`)).body.status).toBe('succeeded');
  });

  test('an unknown external_id is kept for operators and acknowledged', async () => {
    const res = await callback({
      status: 4,
      type: 2,
      external_id: 'po-we-never-sent',
      order_id: '1',
      amount: 1,
      currency: 'USD',
      customer_id: 'x',
    });
    expect(res).toEqual({ status: 200, body: { result: 'ok' } });
    const { listUnknownCallbacks } = await import('../../../src/feedback/callbacks.js');
    const { testRedis } = await import('../../helpers/redis.js');
    const redis = testRedis();
    const kept = await listUnknownCallbacks(redis, sys.system.store);
    redis.disconnect();
    expect(kept).toContainEqual(expect.objectContaining({ external_id: 'po-we-never-sent', status: 4 }));
  });

  test.each([
    ['not an object', '"x"', 400],
    ['a bad status', { status: 9, type: 2, external_id: 'a', order_id: '1' }, 400],
  ])('%s: refused, not acknowledged', async (_n, payload, code) => {
    const body = typeof payload === 'string' ? payload : withSignature(payload, sys.config.gateway.salt);
    const res = await sys.request('POST', '/v1/callbacks/gateway', body);
    expect(res.status).toBe(code);
  });
});

describe('callbacks signed with a salt of their own (CALLBACK_SIGNATURE_SALT)', () => {
  const callbackSalt = `test-callback-salt-${randomBytes(8).toString('hex')}`;
  let own: TestSystem;
  beforeAll(async () => {
    own = await startTestSystem({
      env: { CALLBACK_SIGNATURE_SALT: callbackSalt },
      sandbox: { callbackSalt },
    });
  });
  afterAll(async () => {
    await own?.close();
  });

  test("the gateway's callbacks settle payouts; one signed with SIGNATURE_SALT is refused", async () => {
    const body = withMarker('');
    expect((await own.request('POST', '/v1/payouts', body)).status).toBe(202);
    // The sandbox answers pending and settles by callback alone (the reconciler is hours away).
    const done = await own.waitFor(body.external_id, (p) => p.status === 'succeeded');
    expect(done.history.at(-1)).toMatchObject({ actor: 'callback', to: 'succeeded' });

    const other = withMarker('+no-callback');
    await own.request('POST', '/v1/payouts', other);
    const submitted = await own.waitFor(other.external_id, (p) => p.status === 'submitted');
    const params = { status: 4, type: 2, external_id: other.external_id, order_id: submitted.order_id };
    const res = await own.request(
      'POST',
      '/v1/callbacks/gateway',
      withSignature(params, own.config.gateway.salt),
      { authorization: '' },
    );
    expect(res.status).toBe(401);
    expect((await own.request('GET', `/v1/payouts/${other.external_id}`)).body.status).toBe('submitted');
  });
});

describe('reconciler', () => {
  test('resolves a payout whose callback never comes, by polling the status endpoint', async () => {
    const body = withMarker('+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    const done = await sys.waitFor(body.external_id, (p) => p.status === 'succeeded', 20_000);
    expect(done.history.at(-1)).toMatchObject({ actor: 'reconciler', to: 'succeeded' });
    expect(sys.sandbox.received(body.external_id)?.statusRequests).toBeGreaterThanOrEqual(1);
    expect(sys.sandbox.received(body.external_id)?.requests).toBe(1);
  });

  test('a payout unknown past its deadline stays needs_review and is listed with reason and age', async () => {
    const body = withMarker('+drop+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    await sys.waitFor(body.external_id, (p) => p.status === 'needs_review');
    await new Promise((r) => setTimeout(r, 3000));
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after.status).toBe('needs_review'); // never written off because time passed
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    expect(await list(sys.config, ['--status', 'needs_review', '--limit', '10000'], io)).toBe(0);
    const line = out.find((l) => l.includes(body.external_id));
    expect(out[0]).toMatch(/^\d+ payout\(s\) in needs_review, oldest first/);
    // Its age in the state, in the column after the external_id.
    expect(line).toMatch(new RegExp(`^\\s+${body.external_id}\\s+\\d+s\\s`));
    expect(line).toContain('outcome_unknown');
  });
});

describe('reconciler, overdue', () => {
  test('a payout still pending past its deadline goes to needs_review and stays there', async () => {
    const body = withMarker('+delay=600000+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    await sys.waitFor(body.external_id, (p) => p.status === 'needs_review', 20_000);
    // Several reconcile runs (every second here) poll it and hear "pending" again.
    await expect
      .poll(() => sys.sandbox.received(body.external_id)?.statusRequests ?? 0, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(4);
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after.status).toBe('needs_review');
    expect(after.reason).toBe('no_final_status_within_deadline');
    const moves = after.history.map((h: { event: string }) => h.event);
    expect(moves.filter((e: string) => e === 'gateway_unknown')).toHaveLength(1);
    expect(moves.at(-1)).toBe('gateway_unknown');
  }, 30_000);
});

describe('operator actions', () => {
  const reviewPayout = async () => {
    const body = withMarker('+500+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    await sys.waitFor(body.external_id, (p) => p.status === 'needs_review');
    return body;
  };

  test.each([
    ['succeeded', 'succeeded'],
    ['failed', 'failed'],
  ])('resolve as %s, recorded under the credential, never the body', async (as, final) => {
    const body = await reviewPayout();
    const res = await sys.operatorRequest('POST', `/v1/payouts/${body.external_id}/resolve`, {
      as,
      note: 'checked with the gateway',
      who: 'alice',
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(final);
    expect(res.body.history.at(-1)).toMatchObject({
      actor: 'operator',
      who: sys.admin.name,
      note: 'checked with the gateway',
      to: final,
    });
  });

  test('resend: sent again with the same external_id', async () => {
    const body = await reviewPayout();
    const res = await sys.operatorRequest('POST', `/v1/payouts/${body.external_id}/resolve`, {
      as: 'resend',
      note: 'gateway confirmed it has nothing',
    });
    expect(res.status).toBe(200);
    await sys.waitFor(
      body.external_id,
      (p) => p.attempts === 2 && p.status !== 'sending' && p.status !== 'queued',
    );
    expect(sys.sandbox.received(body.external_id)?.requests).toBe(2);
    expect(sys.sandbox.received(body.external_id)?.sameBody).toBe(true);
    // The first attempt may still have created it: the payout is marked so for good.
    expect((await sys.system.store.get(body.external_id))?.mayHaveReached).toBe(true);
  });

  test.each([
    ['no note', { as: 'failed' }, 422],
    ['an unknown decision', { as: 'maybe', note: 'x' }, 422],
    ['an extra field', { as: 'failed', note: 'x', amount: 1 }, 422],
  ])('refused: %s', async (_n, payload, code) => {
    const body = await reviewPayout();
    const res = await sys.operatorRequest('POST', `/v1/payouts/${body.external_id}/resolve`, payload);
    expect(res.status).toBe(code);
    expect((await sys.request('GET', `/v1/payouts/${body.external_id}`)).body.status).toBe('needs_review');
  });

  test('resolve refused outside needs_review, and for an unknown id', async () => {
    const body = withMarker('+instant');
    await sys.request('POST', '/v1/payouts', body);
    await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    const res = await sys.operatorRequest('POST', `/v1/payouts/${body.external_id}/resolve`, {
      as: 'failed',
      note: 'x',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('succeeded');
    expect(
      (await sys.operatorRequest('POST', '/v1/payouts/po-none/resolve', { as: 'failed', note: 'x' })).status,
    ).toBe(404);
  });

  test('CLI: status shows state, history and masked data; unknown ids are a clear error', async () => {
    const body = withMarker('+instant');
    await sys.request('POST', '/v1/payouts', body);
    await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    expect(await status(sys.config, [body.external_id], io)).toBe(0);
    expect(out.join('\n')).toContain('SUCCEEDED');
    expect(out.join('\n')).toContain('411111******1111');
    expect(out.join('\n')).not.toContain('4111111111111111');
    out.length = 0;
    expect(await status(sys.config, ['po-unknown'], io)).toBe(4);
    expect(out.join('\n')).toContain('no payout with external_id po-unknown');
  });
});

describe('notifications', () => {
  test('every change is delivered, signed, retried past failures, and orderable by seq', async () => {
    const body = withMarker('');
    refuseFirst.set(body.external_id, 2);
    await sys.request('POST', '/v1/payouts', body);
    await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    await expect
      .poll(() => received.filter((r) => r.parsed.payout.external_id === body.external_id).length, {
        timeout: 30_000,
      })
      .toBe(4)
      .catch((err) => {
        const got = received.filter((r) => r.parsed.payout.external_id === body.external_id);
        throw new Error(
          `${err.message}; received ${JSON.stringify(got.map((r) => [r.parsed.payout.seq, r.parsed.event]))}`,
        );
      });
    const mine = received.filter((r) => r.parsed.payout.external_id === body.external_id);
    for (const r of mine) {
      expect(r.signature).toBe(signNotification(NOTIFY_SECRET, r.body));
      expect(r.body).not.toContain('4111111111111111');
    }
    const ordered = [...mine].sort((a, b) => a.parsed.payout.seq - b.parsed.payout.seq);
    expect(ordered.map((r) => r.parsed.payout.seq)).toEqual([1, 2, 3, 4]);
    expect(ordered.map((r) => r.parsed.event)).toEqual([
      'payout.queued',
      'payout.sending',
      'payout.submitted',
      'payout.succeeded',
    ]);
    expect(refused.get(body.external_id)).toBe(2);
    // Refused twice, delivered on the third try, with one stack trace kept, not one per attempt.
    const connection = testRedis();
    const queue = new Queue(NOTIFICATIONS_QUEUE, { connection, prefix: sys.config.queuePrefix });
    try {
      const job = await queue.getJob(`${jobIdFor(body.external_id)}-n1`);
      expect(job?.attemptsStarted).toBe(3);
      expect(job?.stacktrace).toHaveLength(1);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  test('a delivery job is set to be tried until a 2xx (a billion attempts), keeping one stack trace', async () => {
    const body = withMarker('');
    await sys.request('POST', '/v1/payouts', body);
    await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    const connection = testRedis();
    const queue = new Queue(NOTIFICATIONS_QUEUE, { connection, prefix: sys.config.queuePrefix });
    try {
      await expect
        .poll(async () => (await queue.getJob(`${jobIdFor(body.external_id)}-n1`))?.opts)
        .toMatchObject({ attempts: 1_000_000_000, stackTraceLimit: 1 });
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});

describe('deposits', () => {
  /** A card deposit of a player whose customer_id carries sandbox markers. */
  const cardDeposit = (tag: string, customerId: string) => {
    const externalId = id(tag);
    const body = requestFor(
      'bank_card',
      'deposit',
      { exp_year: '2099' },
      {
        external_id: externalId,
        customer: { customer_id: customerId, country: 'LV', first_name: 'A', last_name: 'B' },
      },
    );
    return { externalId, body };
  };

  const offered = [
    'bank_card',
    'p2p_card',
    'vega_wallet',
    'jeton_wallet',
    'emanat',
    'm10_wallet',
    'cash',
    'cis_transfer',
    'bank_transfer',
    'kakaopay',
    'toss',
    'payco',
  ] as const;

  test.each(offered)('%s: redirect, order_id and status returned; cvv never stored', async (method) => {
    const externalId = id(`dep${method.replaceAll('_', '')}`);
    const body = requestFor(method, 'deposit', method === 'bank_card' ? { exp_year: '2099' } : {}, {
      external_id: externalId,
      // Pending for a minute: settled by the sandbox's scaled 10 ms, a loaded machine could see its
      // callback land before the answer is read, and the answer would no longer be the one tested.
      customer: { customer_id: 'c+delay=60000', country: 'LV', first_name: 'A', last_name: 'B' },
    });
    const res = await sys.request('POST', '/v1/deposits', body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ external_id: externalId, status: 'submitted', gateway_status: 3 });
    expect(res.body.redirect).toMatch(/^http/);
    expect(res.body.order_id).toBeTruthy();
    expect(JSON.stringify(res.body)).not.toContain('"123"');
    const again = await sys.request('POST', '/v1/deposits', body);
    expect(again.status).toBe(200);
    expect(again.body.order_id).toBe(res.body.order_id);
    expect(sys.sandbox.received(externalId)?.requests).toBe(1);
  });

  test('after a PAYLOAD_KEY rotation the same deposit again is still the same, another body still 409', async () => {
    const externalId = id('deprot');
    const body = requestFor('bank_card', 'deposit', { exp_year: '2099' }, { external_id: externalId });
    expect((await sys.request('POST', '/v1/deposits', body)).status).toBe(201);
    // A process started after the rotation: a new current key, the old one kept for reading.
    const redis = testRedis();
    const rotated = createDeposits({
      redis,
      queuePrefix: sys.config.queuePrefix,
      payloadKeys: { current: testPayloadKey(), previous: [sys.config.payloadKeys.current] },
      gateway: sys.system.gateway,
      logger: sys.system.logger,
    });
    try {
      const again = await rotated.create(body);
      expect(again.created).toBe(false);
      await expect(rotated.create({ ...body, amount: 1 })).rejects.toBeInstanceOf(ConflictError);
      expect(sys.sandbox.received(externalId)?.requests).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  test('Redis lost after the send: 502 outcome unknown (never 503 "nothing accepted"), and not "in progress" forever', async () => {
    const { externalId, body } = cardDeposit('deplost', 'player+no-callback');
    const redis = testRedis();
    // The connection drops on the write after the send (the first script moves it to sending).
    let scripts = 0;
    const dropping = new Proxy(redis, {
      get(target, prop, receiver) {
        if (prop === 'evalsha' && ++scripts === 2)
          return () => Promise.reject(new Error('Connection is closed.'));
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const deps = {
      queuePrefix: sys.config.queuePrefix,
      payloadKeys: sys.config.payloadKeys,
      gateway: sys.system.gateway,
      logger: sys.system.logger,
    };
    try {
      const cut = createDeposits({ ...deps, redis: dropping });
      await expect(cut.create(body)).rejects.toMatchObject({
        code: 'gateway_outcome_unknown',
        httpStatus: 502,
      });
      expect(sys.sandbox.received(externalId)?.requests).toBe(1);
      // Within the send window the same request hears it is in progress; past it, that its outcome is unknown.
      await expect(createDeposits({ ...deps, redis }).create(body)).rejects.toMatchObject({
        httpStatus: 409,
      });
      await expect(createDeposits({ ...deps, redis, sendWindowMs: 0 }).create(body)).rejects.toMatchObject({
        code: 'gateway_outcome_unknown',
        httpStatus: 502,
      });
      expect(sys.sandbox.received(externalId)?.requests).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  test('a deposit Redis cannot make durable (REDIS_DURABILITY) is never sent: 503, then sent once when durable', async () => {
    const { externalId, body } = cardDeposit('depwait', 'player+no-callback');
    const redis = testRedis();
    const deps = {
      redis,
      queuePrefix: sys.config.queuePrefix,
      payloadKeys: sys.config.payloadKeys,
      gateway: sys.system.gateway,
      logger: sys.system.logger,
    };
    try {
      // No replica runs here: a WAIT for one never succeeds.
      const waiting = createDeposits({
        ...deps,
        durability: { level: 'replicas', replicas: 1, timeoutMs: 50 },
      });
      await expect(waiting.create(body)).rejects.toMatchObject({
        code: 'store_unavailable',
        httpStatus: 503,
      });
      expect(sys.sandbox.received(externalId)?.requests ?? 0).toBe(0);
      expect((await waiting.get(externalId))?.status).toBe('not_sent');
      const sent = await createDeposits(deps).create(body);
      expect(sent.created).toBe(true);
      expect(sent.deposit.status).toBe('submitted');
      expect(sys.sandbox.received(externalId)?.requests).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  test.each([
    ['ecopayz', 422],
    ['sticpay', 422],
  ])('%s offers no deposits: %i', async (method, code) => {
    const res = await sys.request('POST', '/v1/deposits', {
      method,
      payment_system: 'X',
      external_id: id(),
      amount: 1,
      currency: 'USD',
      customer: { customer_id: 'c', country: 'LV', first_name: 'A', last_name: 'B' },
      payment_data: { wallet: '1' },
    });
    expect(res.status).toBe(code);
    expect(res.body.error.issues[0].path).toBe('method');
  });

  test('an unknown outcome is reported as such and never retried', async () => {
    const externalId = id('dep');
    const body = requestFor(
      'jeton_wallet',
      'deposit',
      {},
      {
        external_id: externalId,
        customer: { customer_id: 'p+500+no-callback', country: 'LV', first_name: 'A', last_name: 'B' },
      },
    );
    const res = await sys.request('POST', '/v1/deposits', body);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('gateway_outcome_unknown');
    expect((await sys.request('POST', '/v1/deposits', body)).status).toBe(502);
    expect(sys.sandbox.received(externalId)?.requests).toBe(1);
  });

  test('a deposit callback about another amount or order is raised, never applied; its own settles it', async () => {
    const { externalId, body } = cardDeposit('depother', 'player+no-callback');
    const created = await sys.request('POST', '/v1/deposits', body);
    expect(created.body.status).toBe('submitted');
    const own = {
      status: 4,
      type: 1,
      external_id: externalId,
      order_id: created.body.order_id,
      amount: body.amount,
      currency: body.currency,
    };
    const callback = (params: Record<string, unknown>) =>
      sys.request('POST', '/v1/callbacks/gateway', withSignature(params, sys.config.gateway.salt), {
        authorization: '',
      });
    for (const other of [
      { amount: Number(body.amount) + 1 },
      { currency: 'EUR' },
      { order_id: '999999999999' },
    ]) {
      expect(await callback({ ...own, ...other })).toEqual({ status: 200, body: { result: 'ok' } });
    }
    const redis = testRedis();
    try {
      const recordKey = `${sys.config.queuePrefix}:deposit:${externalId}`;
      expect(await redis.hget(recordKey, 'status')).toBe('submitted');
      const history = (
        await redis.lrange(`${sys.config.queuePrefix}:deposit-history:${externalId}`, 0, -1)
      ).map((l) => JSON.parse(l) as { contradiction?: boolean; reason?: string });
      expect(history.filter((h) => h.contradiction).map((h) => h.reason)).toEqual([
        expect.stringContaining('amount differ'),
        expect.stringContaining('currency differ'),
        expect.stringContaining('order_id differ'),
      ]);
      expect(await callback(own)).toEqual({ status: 200, body: { result: 'ok' } });
      expect(await redis.hget(recordKey, 'status')).toBe('succeeded');
    } finally {
      redis.disconnect();
    }
  });

  test('a callback about a deposit the casino was told was never sent is raised, never applied', async () => {
    const { externalId, body } = cardDeposit('depnotsent', 'player+503x5');
    const res = await sys.request('POST', '/v1/deposits', body);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('gateway_unavailable');
    const callback = {
      status: 4,
      type: 1,
      external_id: externalId,
      amount: body.amount,
      currency: body.currency,
    };
    expect(
      await sys.request('POST', '/v1/callbacks/gateway', withSignature(callback, sys.config.gateway.salt), {
        authorization: '',
      }),
    ).toEqual({ status: 200, body: { result: 'ok' } });
    const redis = testRedis();
    try {
      expect(await redis.hget(`${sys.config.queuePrefix}:deposit:${externalId}`, 'status')).toBe('not_sent');
      const history = await redis.lrange(`${sys.config.queuePrefix}:deposit-history:${externalId}`, 0, -1);
      expect(JSON.parse(history.at(-1)!)).toMatchObject({ contradiction: true, gateway_status: 4 });
    } finally {
      redis.disconnect();
    }
  });

  test('a deposit callback (type 1) settles the deposit', async () => {
    const externalId = id('dep');
    const body = requestFor('jeton_wallet', 'deposit', {}, { external_id: externalId });
    await sys.request('POST', '/v1/deposits', body);
    const { testRedis } = await import('../../helpers/redis.js');
    const redis = testRedis();
    await expect
      .poll(async () => redis.hget(`${sys.config.queuePrefix}:deposit:${externalId}`, 'status'), {
        timeout: 10_000,
      })
      .toBe('succeeded');
    const all = await redis.hgetall(`${sys.config.queuePrefix}:deposit:${externalId}`);
    redis.disconnect();
    expect(JSON.stringify(all)).not.toContain('cvv');
  });
});
