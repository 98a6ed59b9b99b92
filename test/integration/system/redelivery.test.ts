import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jobIdFor, maskPaymentData, validatePayoutRequest } from '../../../src/methods/index.js';
import { applyGatewayReport } from '../../../src/payout/gateway-report.js';
import { createPayoutStore } from '../../../src/payout/store.js';
import { ensurePayoutJob } from '../../../src/queues.js';
import { decide } from '../../../src/worker/decide.js';
import { payoutSendWindowMs } from '../../../src/worker/payout-worker.js';
import { testRedis } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { startPayoutWorker, startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * A job delivered again while its payout is `sending` under another holder's claim (a stall, a lost
 * lock): nothing is sent under that claim. While the claim is younger than the holder's send window the
 * delivery waits, so a live holder's certain answer is what gets recorded; past it, the holder is taken
 * for lost and the payout goes to needs_review (sent again under RESEND_ON_UNKNOWN). The test plays the first holder itself: it claims the
 * payout, lets the worker's delivery find it, then sends and records its answer as a worker would.
 */

let sys: TestSystem;
let window: number;

beforeAll(async () => {
  sys = await startTestSystem({ parts: ['api'] });
  window = payoutSendWindowMs({
    ...sys.config.gateway,
    durabilityTimeoutMs: sys.config.durability.timeoutMs,
  });
});
afterAll(async () => {
  await sys?.close();
});

const withMarker = (marker: string) =>
  cardPayout({
    external_id: `po-${randomBytes(6).toString('hex')}`,
    customer: { customer_id: `player${marker}`, country: 'LV', first_name: 'A', last_name: 'B' },
  });

/** The record of `body` without a job, as the producer writes it. */
async function recordOnly(body: ReturnType<typeof withMarker>) {
  const v = validatePayoutRequest(body);
  if (!v.ok) throw new Error('invalid fixture');
  await sys.system.store.create({
    method: v.method,
    request: v.request,
    masked: maskPaymentData(v.method, v.request.payment_data),
  });
}

const jobState = (externalId: string) => sys.system.payoutQueue.getJobState(jobIdFor(externalId));
const events = async (externalId: string) =>
  (await sys.system.store.history(externalId)).map((h) => `${h.event}:${h.to}`);

describe('a second delivery under a young claim waits for the holder', () => {
  test.each([
    // [marker, what the holder's answer leads to, requests at the sandbox in all, their answers]
    ['', 'submitted', 1, [200]],
    ['+429x1', 'retry_scheduled', 2, [429, 200]],
  ] as const)(
    'holder answers with marker %j: %s is recorded, the second delivery sends nothing under its claim',
    async (marker, recorded, requests, answers) => {
      const body = withMarker(marker);
      const { store, gateway, logger } = sys.system;
      await recordOnly(body);
      const claim = await store.claim(body.external_id, Date.now());
      if (!claim.ok) throw new Error('claim refused');
      const worker = startPayoutWorker(sys);
      try {
        await ensurePayoutJob(sys.system.payoutQueue, body.external_id);
        // The delivery finds the claim young: it waits, without sending and without a review.
        await expect.poll(() => jobState(body.external_id), { timeout: 5_000 }).toBe('delayed');
        expect((await store.get(body.external_id))!.status).toBe('sending');
        expect(sys.sandbox.received(body.external_id)).toBeUndefined();

        // The holder's request, and its answer recorded as a worker records it.
        const outcome = await gateway.payout(store.gatewayRequest(claim.record));
        const decision = decide(
          outcome,
          1,
          {
            maxAttempts: 8,
            baseDelayMs: sys.config.worker.retryBaseDelayMs,
            maxDelayMs: sys.config.worker.retryMaxDelayMs,
            resendOnUnknown: false,
          },
          Date.now(),
        );
        if (decision.action === 'report') {
          await applyGatewayReport({ store, logger }, body.external_id, decision.report, 'worker');
        } else if (decision.action === 'retry') {
          const moved = await store.transition(body.external_id, 'retry', {
            actor: 'worker',
            token: claim.token,
            reason: decision.reason,
            nextAttemptAt: decision.at,
          });
          expect(moved.ok).toBe(true);
        } else {
          throw new Error(`unexpected decision ${decision.action}`);
        }
        expect((await store.get(body.external_id))!.status).toBe(recorded);

        // Past the window the delivery runs again: a submitted payout is left alone; a retry_scheduled
        // one is this job's to send, under a claim of its own.
        await expect.poll(() => jobState(body.external_id), { timeout: window + 10_000 }).toBe('completed');
      } finally {
        await worker.close();
      }
      expect(sys.sandbox.received(body.external_id)).toMatchObject({ requests, created: 1, answers });
      const history = await events(body.external_id);
      expect(history).not.toContain('review:needs_review');
      expect(history.filter((e) => e === 'claim:sending')).toHaveLength(requests);
    },
  );
});

/** `body`'s record, claimed by a first holder longer ago than its send window: it is taken for lost. */
async function claimedLongAgo(body: ReturnType<typeof withMarker>) {
  await recordOnly(body);
  const redis = testRedis();
  const earlier = createPayoutStore({
    redis,
    queuePrefix: sys.config.queuePrefix,
    payloadKeys: sys.config.payloadKeys,
    logger: sys.system.logger,
    now: () => Date.now() - window - 1_000,
  });
  const claim = await earlier.claim(body.external_id, Date.now());
  redis.disconnect();
  expect(claim.ok).toBe(true);
}

describe('a second delivery past the window', () => {
  test('hands the payout to needs_review at once, sends nothing; the holder, if alive after all, still records its answer', async () => {
    const body = withMarker('');
    const { store, logger } = sys.system;
    await claimedLongAgo(body);
    const worker = startPayoutWorker(sys);
    try {
      await ensurePayoutJob(sys.system.payoutQueue, body.external_id);
      const reviewed = await sys.waitFor(body.external_id, (p) => p.status === 'needs_review', 5_000);
      expect(reviewed.reason).toMatch(/^worker_lost_mid_send/);
    } finally {
      await worker.close();
    }
    expect(sys.sandbox.received(body.external_id)).toBeUndefined();
    const res = await applyGatewayReport(
      { store, logger },
      body.external_id,
      { status: 1, orderId: '42' },
      'worker',
    );
    expect(res).toEqual({ result: 'applied', from: 'needs_review', to: 'submitted' });
  });

  /** Claimed long ago, then delivered again to a worker under RESEND_ON_UNKNOWN, until the gateway's answer is in. */
  async function resentAfterLostHolder(body: ReturnType<typeof withMarker>, holderSent: boolean) {
    await claimedLongAgo(body);
    // A holder lost after its request left: the gateway has the payout, its answer never recorded.
    if (holderSent) {
      const v = validatePayoutRequest(body);
      if (!v.ok) throw new Error('invalid fixture');
      expect((await sys.system.gateway.payout(v.request)).kind).toBe('accepted');
    }
    const worker = startPayoutWorker(sys, { resendOnUnknown: true });
    try {
      await ensurePayoutJob(sys.system.payoutQueue, body.external_id);
      // The sandbox may settle it at once, so submitted or already succeeded.
      return await sys.waitFor(
        body.external_id,
        (p) => p.status === 'submitted' || p.status === 'succeeded',
        10_000,
      );
    } finally {
      await worker.close();
    }
  }

  test('under RESEND_ON_UNKNOWN: the lost attempt is decided as an unknown outcome, sent again, and marked as possibly created', async () => {
    const body = withMarker('');
    await resentAfterLostHolder(body, false);
    // The lost holder sent nothing here, so the resend is the gateway's one request.
    expect(sys.sandbox.received(body.external_id)?.requests).toBe(1);
    const history = await sys.system.store.history(body.external_id);
    expect(history.map((h) => h.to).slice(0, 5)).toEqual([
      'queued',
      'sending',
      'retry_scheduled',
      'sending',
      'submitted',
    ]);
    expect(history[2]).toMatchObject({ reason: 'unknown_resend: worker_lost_mid_send', attempt: 1 });
    // Possibly created by the lost attempt: never cancelled, never `not_sent`.
    expect((await sys.system.store.get(body.external_id))?.mayHaveReached).toBe(true);
  });

  test('under RESEND_ON_UNKNOWN, after a holder whose request did arrive: the deduplicating gateway answers with the one order', async () => {
    // No callback: otherwise the gateway's own report settles it before any resend is needed.
    const body = withMarker('+no-callback');
    const settled = await resentAfterLostHolder(body, true);
    const seen = sys.sandbox.received(body.external_id);
    expect(seen).toMatchObject({ requests: 2, created: 1, sameBody: true });
    expect(settled.order_id).toBe(seen?.order?.order_id);
    expect((await sys.system.store.contradictions(1_000)).newest.map((c) => c.externalId)).not.toContain(
      body.external_id,
    );
  });
});
