import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resolve } from '../../../src/ops/commands.js';
import { reconcile, type StatusPoller } from '../../../src/worker/maintenance.js';
import { testRedis } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { startPayoutWorker, startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * One gateway order per payout: a second order is recorded and raised, never written over the first;
 * an answer that comes after the payout moved on is still in its history; a resend is refused while an
 * order is recorded unless forced. The sandbox counts every request and every order it made.
 *
 * The system runs without its own worker or reconciler: each test starts the worker when it wants
 * sends to happen and runs the poll itself, so the races it stages happen in the order it names.
 */

const id = () => `po-${randomBytes(6).toString('hex')}`;
const withMarker = (marker: string) =>
  cardPayout({
    external_id: id(),
    customer: { customer_id: `player${marker}`, country: 'LV', first_name: 'A', last_name: 'B' },
  });

let sys: TestSystem;

beforeAll(async () => {
  // With NOTIFY_URL set, every change and contradiction goes to the outbox (drained by the worker
  // part, which this system does not run): the tests read it there.
  sys = await startTestSystem({
    parts: ['api'],
    env: { NOTIFY_URL: 'http://127.0.0.1:9/', NOTIFY_SECRET: 'one-order-test-secret' },
  });
});
afterAll(async () => {
  await sys?.close();
});

/** The seqs of a payout's changes waiting in the notification outbox. */
async function outboxSeqs(externalId: string): Promise<number[]> {
  const redis = testRedis();
  try {
    const entries = await redis.lrange(sys.system.store.keys.outbox, 0, -1);
    return entries
      .map((e) => JSON.parse(e) as { external_id: string; seq: number })
      .filter((e) => e.external_id === externalId)
      .map((e) => e.seq);
  } finally {
    redis.disconnect();
  }
}

/** Sends a payout through a worker of its own until `until` holds, then stops that worker. */
async function sendUntil(body: ReturnType<typeof withMarker>, until: (p: any) => boolean) {
  const worker = startPayoutWorker(sys);
  try {
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    return await sys.waitFor(body.external_id, until);
  } finally {
    await worker.close();
  }
}

/** A payout in needs_review holding order X: the gateway answered UNKNOWN (7) with it. */
async function reviewWithOrder(marker = '') {
  const body = withMarker(`+unknown+no-callback${marker}`);
  const reviewed = await sendUntil(body, (p) => p.status === 'needs_review');
  expect(reviewed.order_id).toBe(sys.sandbox.received(body.external_id)!.order!.order_id);
  return { body, orderX: reviewed.order_id as string };
}

const resend = (externalId: string, force?: boolean) =>
  sys.operatorRequest('POST', `/v1/payouts/${externalId}/resolve`, {
    as: 'resend',
    note: 'the gateway says a second order is impossible',
    ...(force !== undefined ? { force } : {}),
  });

const contradictionsCounted = async () => {
  const text = await sys.system.metrics.registry.getSingleMetricAsString('payouts_contradictions_total');
  return Number(/kind="payout"\} (\d+)/.exec(text)?.[1] ?? 0);
};

describe('resend while the gateway holds an order', () => {
  test.each([
    ['no force', undefined],
    ['force: false', false],
  ])('%s: refused with 409 order_recorded naming force; nothing sent', async (_name, force) => {
    const { body, orderX } = await reviewWithOrder();
    const res = await resend(body.external_id, force);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('order_recorded');
    expect(res.body.error.message).toContain(orderX);
    expect(res.body.error.message).toContain('force: true');
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after).toMatchObject({ status: 'needs_review', order_id: orderX });
    expect(sys.sandbox.received(body.external_id)).toMatchObject({ requests: 1, created: 1 });
  });

  test('force: true, the gateway deduplicates: sent again, the same order comes back and is applied', async () => {
    const { body, orderX } = await reviewWithOrder();
    const worker = startPayoutWorker(sys);
    try {
      const res = await resend(body.external_id, true);
      expect(res.status).toBe(200);
      expect(
        res.body.history.find(
          (h: { to: string; actor: string }) => h.to === 'queued' && h.actor === 'operator',
        ),
      ).toMatchObject({
        to: 'queued',
        reason: 'resolved_by_operator: resend (force)',
        note: 'the gateway says a second order is impossible',
      });
      // The sandbox replays the first answer (status 7, order X): the payout waits for review again.
      const done = await sys.waitFor(
        body.external_id,
        (p) => p.attempts === 2 && p.status === 'needs_review',
      );
      expect(done.order_id).toBe(orderX);
      expect(done.history.some((h: { contradiction?: boolean }) => h.contradiction)).toBe(false);
    } finally {
      await worker.close();
    }
    expect(sys.sandbox.received(body.external_id)).toMatchObject({ requests: 2, created: 1 });
  });

  test('force: true, the gateway makes a second order: raised as a contradiction, order X kept, back to review', async () => {
    const { body, orderX } = await reviewWithOrder('+new-order');
    const counted = await contradictionsCounted();
    const worker = startPayoutWorker(sys);
    let done: any;
    try {
      expect((await resend(body.external_id, true)).status).toBe(200);
      done = await sys.waitFor(
        body.external_id,
        (p) => p.attempts === 2 && p.status === 'needs_review' && p.reason?.startsWith('second_order'),
      );
    } finally {
      await worker.close();
    }
    const sandbox = sys.sandbox.received(body.external_id)!;
    expect(sandbox).toMatchObject({ requests: 2, created: 2 });
    const orderY = sandbox.orderIds[1]!;
    expect(done.order_id).toBe(orderX);
    expect(done.reason).toContain(orderY);
    expect(done.history.find((h: { contradiction?: boolean }) => h.contradiction)).toMatchObject({
      event: 'gateway_report',
      actor: 'worker',
      order_id: orderY,
      gateway_status: 7,
      reason: expect.stringContaining('possibly paid twice'),
    });
    expect(sys.logs.some((l) => l.includes('CONTRADICTION') && l.includes(body.external_id))).toBe(true);
    expect(await contradictionsCounted()).toBe(counted + 1);
    // Notified like a change: the contradiction's entry is in the outbox.
    const seq = done.history.find((h: { contradiction?: boolean }) => h.contradiction).seq;
    expect(await outboxSeqs(body.external_id)).toContain(seq);
  });

  test('CLI: resolve --as resend is refused without --force, and goes through with it', async () => {
    const { body } = await reviewWithOrder();
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    const args = [body.external_id, '--as', 'resend', '--note', 'checked with the gateway'];
    expect(await resolve(sys.config, args, io)).toBe(1);
    expect(out.join('\n')).toMatch(/cannot resend .*force: true/);
    expect(await resolve(sys.config, [...args, '--force'], io)).toBe(0);
    expect(out.at(-1)).toBe(`${body.external_id} queued to be sent again`);
    expect(
      await resolve(sys.config, [body.external_id, '--as', 'failed', '--note', 'x', '--force'], io),
    ).toBe(2);
    expect((await sys.system.store.get(body.external_id))!.status).toBe('queued');
  });
});

describe('a resend racing a status poll that reports the first order succeeded', () => {
  /**
   * The reconciler's poll, held after the gateway answered it until `release` resolves: the poll read
   * the payout in needs_review and asked about order X before the operator's resend.
   */
  function heldPoll(orderX: string, release: () => Promise<unknown>) {
    const gateway: StatusPoller = {
      async status(orderId) {
        const answer = await sys.system.gateway.status(orderId);
        if (orderId === orderX) await release();
        return answer;
      },
    };
    return reconcile(
      { store: sys.system.store, gateway, logger: sys.system.logger },
      { afterMs: 60_000, reviewDeadlineMs: 3_600_000 },
    );
  }

  const settled = (externalId: string) =>
    expect.poll(() => sys.sandbox.received(externalId)?.order?.status, { timeout: 5_000 }).toBe(4);

  test('the poll lands before the resend is sent: succeeded, and the resend sends nothing', async () => {
    const { body, orderX } = await reviewWithOrder();
    await settled(body.external_id);
    await heldPoll(orderX, async () => {
      expect((await resend(body.external_id, true)).status).toBe(200);
    });
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after).toMatchObject({ status: 'succeeded', order_id: orderX, gateway_status: 4 });
    expect(after.history.slice(-2)).toMatchObject([
      { from: 'needs_review', to: 'queued', actor: 'operator' },
      { from: 'queued', to: 'succeeded', actor: 'reconciler' },
    ]);
    // The resend's job now runs: it finds the payout succeeded and sends nothing.
    const worker = startPayoutWorker(sys);
    try {
      await expect
        .poll(async () => sys.system.payoutQueue.getJobCounts('completed', 'active', 'wait'))
        .toMatchObject({
          active: 0,
          wait: 0,
        });
    } finally {
      await worker.close();
    }
    expect(sys.sandbox.received(body.external_id)).toMatchObject({ requests: 1, created: 1 });
  });

  test('the resend is in flight when the poll lands: its second order is recorded and raised', async () => {
    // slow: the sandbox holds each answer 300 ms, so the resend is still waiting when the poll lands.
    const { body, orderX } = await reviewWithOrder('+new-order+slow=300');
    await settled(body.external_id);
    const counted = await contradictionsCounted();
    const worker = startPayoutWorker(sys);
    try {
      await heldPoll(orderX, async () => {
        expect((await resend(body.external_id, true)).status).toBe(200);
        // The resend reached the gateway, which made order Y and has not answered yet.
        await expect.poll(() => sys.sandbox.received(body.external_id)?.created, { timeout: 5_000 }).toBe(2);
      });
      await sys.waitFor(body.external_id, (p) =>
        p.history.some((h: { contradiction?: boolean }) => h.contradiction),
      );
    } finally {
      await worker.close();
    }
    const sandbox = sys.sandbox.received(body.external_id)!;
    expect(sandbox).toMatchObject({ requests: 2, created: 2 });
    const orderY = sandbox.orderIds[1]!;
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    // Succeeded by order X, as the poll said; Y's answer is in the history, raised, never applied.
    expect(after).toMatchObject({ status: 'succeeded', order_id: orderX, gateway_status: 4 });
    expect(after.history.slice(-3)).toMatchObject([
      { from: 'queued', to: 'sending', actor: 'worker' },
      { from: 'sending', to: 'succeeded', actor: 'reconciler', order_id: orderX },
      {
        from: 'succeeded',
        to: 'succeeded',
        event: 'gateway_report',
        actor: 'worker',
        contradiction: true,
        order_id: orderY,
        reason: expect.stringMatching(/^second_order: .*possibly paid twice/),
      },
    ]);
    expect(await contradictionsCounted()).toBe(counted + 1);
  });
});

describe('an answer after the payout moved on', () => {
  test("the callback settles it before the worker's answer arrives: the answer is still in the history", async () => {
    const body = withMarker('+early-callback');
    const done = await sendUntil(
      body,
      (p) =>
        p.status === 'succeeded' && p.history.some((h: { event: string }) => h.event === 'gateway_report'),
    );
    const orderX = sys.sandbox.received(body.external_id)!.order!.order_id;
    expect(done).toMatchObject({ status: 'succeeded', order_id: orderX, gateway_status: 4 });
    expect(done.history.at(-1)).toMatchObject({
      event: 'gateway_report',
      actor: 'worker',
      from: 'succeeded',
      to: 'succeeded',
      gateway_status: 1,
      order_id: orderX,
      reason: expect.stringMatching(/^answer_after_payout_moved_on: /),
    });
    expect(done.history.at(-1).contradiction).toBeUndefined();
    expect(sys.sandbox.received(body.external_id)).toMatchObject({ requests: 1, created: 1 });
  });
});
