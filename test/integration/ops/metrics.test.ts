import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { validatePayoutRequest } from '../../../src/methods/index.js';
import { createMetrics } from '../../../src/ops/metrics.js';
import type { PayoutStore } from '../../../src/payout/store.js';
import { createProducer } from '../../../src/producer/producer.js';
import { createPayoutQueue, type PayoutJobData, QUEUE } from '../../../src/queues.js';
import { connectRedis } from '../../../src/redis.js';
import { NOTIFICATIONS_QUEUE } from '../../../src/worker/notifier.js';
import { captureLogger } from '../../helpers/capture-log.js';
import { deletePrefix, testRedis, testStore, uniquePrefix } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { CLOSED_PORT } from '../../helpers/system.js';

const prefix = uniquePrefix('metrics');
const log = captureLogger({ level: 'info' });
let redis: Redis;
let store: PayoutStore;
let payoutQueue: Queue<PayoutJobData>;
let notifications: Queue;

function seriesValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

beforeAll(() => {
  redis = testRedis();
  store = testStore(redis, prefix, log.logger);
  payoutQueue = createPayoutQueue(redis, prefix);
  notifications = new Queue(NOTIFICATIONS_QUEUE, { connection: redis, prefix: prefix });
});

afterAll(async () => {
  await payoutQueue.close();
  await notifications.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

describe('gauges from the real Redis', () => {
  test('queue depth and payout records by state, oldest needs_review', async () => {
    const producer = createProducer({ store, queue: payoutQueue, logger: log.logger });
    for (let i = 0; i < 3; i++) await producer.enqueuePayout(cardPayout());
    await notifications.add('notify', { externalId: 'po-x', seq: 1, body: '{}' }, { delay: 60_000 });

    // one payout in needs_review, moved there 90 s "ago" by the store's clock
    const valid = validatePayoutRequest(cardPayout());
    if (!valid.ok) throw new Error('fixture is invalid');
    const past = Date.now() - 90_000;
    const pastStore = testStore(redis, prefix, log.logger, { now: () => past });
    await pastStore.create({ method: valid.method, request: valid.request, masked: {} });
    await pastStore.transition(valid.request.external_id, 'gateway_unknown', {
      actor: 'reconciler',
      reason: 'test',
    });

    const metrics = createMetrics();
    metrics.observeQueues([payoutQueue, notifications]);
    metrics.observeStore(store);
    const text = await metrics.registry.metrics();

    expect(seriesValue(text, 'payouts_queue_jobs{queue="payouts",state="waiting"}')).toBe(3);
    expect(seriesValue(text, 'payouts_queue_jobs{queue="payouts",state="delayed"}')).toBe(0);
    expect(seriesValue(text, 'payouts_queue_jobs{queue="notifications",state="delayed"}')).toBe(1);
    expect(seriesValue(text, 'payouts_records{state="queued"}')).toBe(3);
    expect(seriesValue(text, 'payouts_records{state="needs_review"}')).toBe(1);
    expect(seriesValue(text, 'payouts_records{state="succeeded"}')).toBe(0);
    const age = seriesValue(text, 'payouts_needs_review_oldest_age_seconds')!;
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(90 + 60);
    expect(seriesValue(text, 'payouts_metrics_collect_errors_total{source="queues"}')).toBeUndefined();
  });

  test('Redis unreachable: a scrape still answers, without the gauges it could not read', async () => {
    const url = `redis://127.0.0.1:${CLOSED_PORT}`;
    // Both kinds of connection: a request one fails at once, a worker one waits out the outage.
    const requestRedis = connectRedis({ url }, 'request');
    const workerRedis = connectRedis({ url }, 'worker');
    const downQueues = [
      new Queue(QUEUE.payouts, { connection: requestRedis, prefix: prefix }),
      new Queue(QUEUE.maintenance, { connection: workerRedis, prefix: prefix }),
    ];
    for (const q of downQueues) q.on('error', () => undefined);
    const downStore = testStore(requestRedis, prefix, log.logger);
    const metrics = createMetrics({ collectTimeoutMs: 300, logger: log.logger });
    metrics.observeQueues([...downQueues, notifications]);
    metrics.observeStore(downStore);
    try {
      const started = Date.now();
      const text = await metrics.registry.metrics();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(text).not.toContain('payouts_queue_jobs{queue="payouts"');
      expect(text).not.toContain('payouts_queue_jobs{queue="maintenance"');
      expect(text).not.toContain('payouts_records{');
      // the queue on the live connection still reports
      expect(seriesValue(text, 'payouts_queue_jobs{queue="notifications",state="delayed"}')).toBe(1);
      expect(seriesValue(text, 'payouts_metrics_collect_errors_total{source="queues"}')).toBe(2);
      // at least the needs_review read; store.counts() answers zeros instead of failing (see metrics.ts)
      expect(
        seriesValue(text, 'payouts_metrics_collect_errors_total{source="store"}'),
      ).toBeGreaterThanOrEqual(1);
      // nothing noisy: failures are debug lines at most, and the logger here is at info
      expect(log.text()).not.toContain('metrics: could not read');
    } finally {
      requestRedis.disconnect();
      workerRedis.disconnect();
      await Promise.all(downQueues.map((q) => q.close().catch(() => undefined)));
    }
  });
});
