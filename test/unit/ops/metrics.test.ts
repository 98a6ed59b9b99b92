import Fastify from 'fastify';
import { describe, expect, test } from 'vitest';
import { createMetrics, type ObservedQueue, registerMetricsRoute } from '../../../src/ops/metrics.js';
import { PAYOUT_STATES, type PayoutState } from '../../../src/payout/states.js';

/** The value of one series in the text format, or undefined when the series is absent. */
function seriesValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const queueStub = (name: string, counts: () => Promise<Record<string, number>>): ObservedQueue => ({
  name,
  getJobCounts: counts,
});

const zeroCounts = () => Object.fromEntries(PAYOUT_STATES.map((s) => [s, 0])) as Record<PayoutState, number>;

describe('recording functions', () => {
  test('transition counts by from, to and method; creation is from "none"', async () => {
    const m = createMetrics();
    m.transition(null, 'queued', 'bank_card');
    m.transition('queued', 'sending', 'bank_card');
    m.transition('queued', 'sending', 'bank_card');
    m.transition('queued', 'sending', 'toss');
    const text = await m.registry.getSingleMetricAsString('payouts_transitions_total');
    expect(text).toContain('# TYPE payouts_transitions_total counter');
    expect(seriesValue(text, 'payouts_transitions_total{from="none",to="queued",method="bank_card"}')).toBe(
      1,
    );
    expect(
      seriesValue(text, 'payouts_transitions_total{from="queued",to="sending",method="bank_card"}'),
    ).toBe(2);
    expect(seriesValue(text, 'payouts_transitions_total{from="queued",to="sending",method="toss"}')).toBe(1);
  });

  test('gateway durations land in second buckets from 5 ms to 60 s', async () => {
    const m = createMetrics();
    m.gatewayRequest('payout', 'accepted', 3); // under the first bucket
    m.gatewayRequest('payout', 'accepted', 120);
    m.gatewayRequest('payout', 'unknown', 45_000);
    m.gatewayRequest('payout', 'unknown', Number.NaN); // ignored, never a broken series
    const text = await m.registry.getSingleMetricAsString('payouts_gateway_request_duration_seconds');
    const bucket = (le: string, outcome: string) =>
      seriesValue(
        text,
        `payouts_gateway_request_duration_seconds_bucket{le="${le}",endpoint="payout",outcome="${outcome}"}`,
      );
    expect(bucket('0.005', 'accepted')).toBe(1);
    expect(bucket('0.1', 'accepted')).toBe(1);
    expect(bucket('0.25', 'accepted')).toBe(2);
    expect(bucket('30', 'unknown')).toBe(0);
    expect(bucket('60', 'unknown')).toBe(1);
    expect(
      seriesValue(
        text,
        'payouts_gateway_request_duration_seconds_count{endpoint="payout",outcome="unknown"}',
      ),
    ).toBe(1);
    expect(
      seriesValue(text, 'payouts_gateway_request_duration_seconds_sum{endpoint="payout",outcome="accepted"}'),
    ).toBeCloseTo(0.123, 6);
  });

  test.each([
    ['callback', 'payouts_callbacks_total{result="bad_signature"}'],
    ['contradiction', 'payouts_contradictions_total{kind="deposit"}'],
    ['notification', 'payouts_notifications_total{result="failed"}'],
  ] as const)('%s counts by its label', async (fn, series) => {
    const m = createMetrics();
    if (fn === 'callback') {
      m.callback('bad_signature');
      m.callback('bad_signature');
      m.callback('ok');
    } else if (fn === 'contradiction') {
      m.contradiction('deposit');
      m.contradiction('deposit');
      m.contradiction('payout');
    } else {
      m.notification('failed');
      m.notification('failed');
      m.notification('delivered');
    }
    expect(seriesValue(await m.registry.metrics(), series)).toBe(2);
  });

  test('registries are separate; the prefix renames only this module’s metrics', async () => {
    const a = createMetrics();
    const b = createMetrics({ prefix: 'other_' });
    a.callback('ok');
    b.callback('ok');
    b.callback('ok');
    expect(seriesValue(await a.registry.metrics(), 'payouts_callbacks_total{result="ok"}')).toBe(1);
    const text = await b.registry.metrics();
    expect(seriesValue(text, 'other_callbacks_total{result="ok"}')).toBe(2);
    expect(text).not.toContain('payouts_callbacks_total');
    // Node's default metrics, under their usual names
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});

describe('gauges read at scrape time', () => {
  test('queue depth by queue and state', async () => {
    const m = createMetrics();
    m.observeQueues([
      queueStub('payouts', async () => ({ waiting: 3, active: 1, delayed: 2, failed: 0 })),
      queueStub('notifications', async () => ({ waiting: 7 })),
    ]);
    const text = await m.registry.getSingleMetricAsString('payouts_queue_jobs');
    expect(seriesValue(text, 'payouts_queue_jobs{queue="payouts",state="waiting"}')).toBe(3);
    expect(seriesValue(text, 'payouts_queue_jobs{queue="payouts",state="delayed"}')).toBe(2);
    expect(seriesValue(text, 'payouts_queue_jobs{queue="notifications",state="waiting"}')).toBe(7);
  });

  test('a queue that fails or hangs is left out; the others still report; nothing throws', async () => {
    const m = createMetrics({ collectTimeoutMs: 50 });
    let down = false;
    m.observeQueues([
      queueStub('payouts', async () => {
        if (down) throw new Error('Connection is closed.');
        return { waiting: 4 };
      }),
      queueStub('maintenance', () => (down ? new Promise(() => undefined) : Promise.resolve({ waiting: 1 }))),
      queueStub('notifications', async () => ({ waiting: 9 })),
    ]);
    expect(
      seriesValue(await m.registry.metrics(), 'payouts_queue_jobs{queue="payouts",state="waiting"}'),
    ).toBe(4);
    down = true;
    const text = await m.registry.metrics();
    expect(seriesValue(text, 'payouts_queue_jobs{queue="payouts",state="waiting"}')).toBeUndefined();
    expect(seriesValue(text, 'payouts_queue_jobs{queue="maintenance",state="waiting"}')).toBeUndefined();
    expect(seriesValue(text, 'payouts_queue_jobs{queue="notifications",state="waiting"}')).toBe(9);
    expect(seriesValue(text, 'payouts_metrics_collect_errors_total{source="queues"}')).toBe(2);
  });

  test('payout records by state and the oldest needs_review age', async () => {
    const now = 1_800_000_000_000;
    const m = createMetrics({ now: () => now });
    m.observeStore({
      counts: async () => ({ ...zeroCounts(), queued: 5, needs_review: 2 }),
      list: async (state) => (state === 'needs_review' ? [{ externalId: 'po-1', since: now - 90_000 }] : []),
    });
    const text = await m.registry.metrics();
    expect(seriesValue(text, 'payouts_records{state="queued"}')).toBe(5);
    expect(seriesValue(text, 'payouts_records{state="needs_review"}')).toBe(2);
    expect(seriesValue(text, 'payouts_records{state="succeeded"}')).toBe(0);
    expect(seriesValue(text, 'payouts_needs_review_oldest_age_seconds')).toBe(90);
  });

  test('no needs_review: age 0; store down: records left out, age kept, no throw', async () => {
    let down = false;
    let review: { externalId: string; since: number }[] = [
      { externalId: 'po-1', since: Date.now() - 60_000 },
    ];
    const m = createMetrics();
    m.observeStore({
      counts: async () => {
        if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
        return zeroCounts();
      },
      list: async () => {
        if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
        return review;
      },
    });
    expect(
      seriesValue(await m.registry.metrics(), 'payouts_needs_review_oldest_age_seconds'),
    ).toBeGreaterThanOrEqual(60);
    review = [];
    expect(seriesValue(await m.registry.metrics(), 'payouts_needs_review_oldest_age_seconds')).toBe(0);
    review = [{ externalId: 'po-2', since: Date.now() - 120_000 }];
    await m.registry.metrics();
    down = true;
    const text = await m.registry.metrics();
    expect(seriesValue(text, 'payouts_records{state="queued"}')).toBeUndefined();
    expect(seriesValue(text, 'payouts_needs_review_oldest_age_seconds')).toBeGreaterThanOrEqual(120);
    expect(seriesValue(text, 'payouts_metrics_collect_errors_total{source="store"}')).toBe(2);
  });
});

test('counts answered while the other read of Redis failed are not trusted', async () => {
  // ioredis answers a pipeline that never reached Redis with per-command errors, which the store's
  // counts() turns into zeros: zeros then would hide every payout waiting for review.
  const m = createMetrics();
  m.observeStore({
    counts: async () => zeroCounts(),
    list: async () => {
      throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
    },
  });
  const text = await m.registry.metrics();
  expect(seriesValue(text, 'payouts_records{state="needs_review"}')).toBeUndefined();
  expect(seriesValue(text, 'payouts_metrics_collect_errors_total{source="store"}')).toBe(1);
});

describe('GET /metrics', () => {
  test('serves the registry in the Prometheus text format', async () => {
    const m = createMetrics();
    m.transition('sending', 'submitted', 'bank_card');
    const app = Fastify();
    registerMetricsRoute(app, m);
    try {
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(m.registry.contentType);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(
        seriesValue(res.body, 'payouts_transitions_total{from="sending",to="submitted",method="bank_card"}'),
      ).toBe(1);
    } finally {
      await app.close();
    }
  });
});
