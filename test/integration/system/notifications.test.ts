import { Queue } from 'bullmq';
import { describe, expect, test } from 'vitest';
import { jobIdFor } from '../../../src/methods/index.js';
import { payoutKeys } from '../../../src/payout/keys.js';
import { NOTIFICATIONS_QUEUE, signNotification } from '../../../src/worker/notifier.js';
import { testRedis } from '../../helpers/redis.js';
import { NOTIFY_SECRET, useFeedbackSystem, withMarker } from './feedback-fixture.js';

const { sys, received, refuseFirst, refused } = useFeedbackSystem();

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

test('the service publishes that it notifies, for the CLI and the library to follow (payout/deployment.ts)', async () => {
  const redis = testRedis();
  try {
    const deployment = await redis.hgetall(payoutKeys(sys.config.queuePrefix).deployment);
    expect(deployment).toMatchObject({ notify: '1', ledger: '0' });
    expect(deployment.by).toMatch(/^api\+worker pid \d+ on /);
  } finally {
    redis.disconnect();
  }
});
