import type { Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { PayoutStore } from '../../../src/payout/store.js';
import type { PayoutJobData } from '../../../src/queues.js';
import { cardPayout } from '../../helpers/requests.js';
import { startPayoutWorker, startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * Record writes that ran in Redis but whose answer never reached the worker (the connection cut
 * between the two). Faults are injected at the store's edge: the real write runs, then the call fails
 * as an ioredis call does when its connection closes.
 */

let sys: TestSystem;
const running: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  // The API alone: each test runs its own worker.
  sys = await startTestSystem({ parts: ['api'] });
});
afterEach(async () => {
  for (const started of running.splice(0)) await started.close();
});
afterAll(async () => {
  await sys?.close();
});

/**
 * The system's store, except that the first claim of each listed payout runs and then fails with
 * `error`: by default as an ioredis call whose connection closed before the answer came.
 */
function losingClaimAnswers(
  store: PayoutStore,
  externalIds: Set<string>,
  error = () => new Error('Connection is closed.'),
): PayoutStore {
  return {
    ...store,
    async claim(externalId, dueBy, token) {
      const res = await store.claim(externalId, dueBy, token);
      if (externalIds.delete(externalId)) throw error();
      return res;
    },
  };
}

/**
 * The system's store, except that the first move of a listed payout by `event` fails as a call whose
 * connection closed: `after` the move ran in Redis (its answer lost), or `before` it reached Redis.
 */
function losingTransitionAnswers(
  store: PayoutStore,
  event: string,
  externalIds: Set<string>,
  when: 'before' | 'after' = 'after',
  times = 1,
): PayoutStore {
  const lost = new Map<string, number>();
  return {
    ...store,
    async transition(externalId, ev, opts) {
      const n = lost.get(externalId) ?? 0;
      const lose = ev === event && externalIds.has(externalId) && n < times;
      if (lose) lost.set(externalId, n + 1);
      if (lose && n + 1 === times) externalIds.delete(externalId);
      if (lose && when === 'before') throw new Error('Connection is closed.');
      const res = await store.transition(externalId, ev, opts);
      if (lose) throw new Error('Connection is closed.');
      return res;
    },
  };
}

function startWorker(store: PayoutStore): Worker<PayoutJobData> {
  const started = startPayoutWorker(sys, { store });
  running.push(started);
  return started.worker;
}

/**
 * Starts a worker whose first claim of `body` runs and then fails with `error` (by default a lost
 * connection), enqueues the payout, and returns the worker once that first try has failed.
 */
async function enqueueLosingFirstClaim(body: { external_id: string }, error?: () => Error) {
  const worker = startWorker(losingClaimAnswers(sys.system.store, new Set([body.external_id]), error));
  const failed = new Promise((resolve) => worker.once('failed', resolve));
  await sys.system.producer.enqueuePayout(body);
  await failed;
  return worker;
}

const events = async (externalId: string) => (await sys.system.store.history(externalId)).map((e) => e.event);

describe('a claim whose answer was lost', () => {
  test('the same worker takes its own claim back on the job next try and sends once', async () => {
    const body = cardPayout();
    // The first try fails with the claim made in Redis: the payout is sending under the lost token.
    await enqueueLosingFirstClaim(body);
    expect((await sys.system.store.get(body.external_id))?.status).toBe('sending');
    expect(sys.sandbox.received(body.external_id)).toBeUndefined();

    const done = await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    expect(sys.sandbox.received(body.external_id)).toMatchObject({ requests: 1, created: 1 });
    expect(done.attempts).toBe(1);
    const history = await events(body.external_id);
    expect(history.filter((e) => e === 'claim')).toHaveLength(1);
    expect(history).not.toContain('review');
  });

  test('a claim that failed after its answer came (not a lost connection) is not taken back: review', async () => {
    const body = cardPayout();
    await enqueueLosingFirstClaim(body, () => new Error('unreadable record'));

    // Past the first claim's send window (payoutSendWindowMs: over 15 s with the test settings).
    const reviewed = await sys.waitFor(body.external_id, (p) => p.status === 'needs_review', 40_000);
    expect(reviewed.reason).toMatch(/^worker_lost_mid_send/);
    expect(sys.sandbox.received(body.external_id)).toBeUndefined();
  });

  test('another worker cannot tell a lost answer from a lost holder: review, nothing sent', async () => {
    const body = cardPayout();
    const first = await enqueueLosingFirstClaim(body);
    // The worker that made the claim stops before the job's next try; another takes the job.
    await first.close();
    startWorker(sys.system.store);

    // Past the first claim's send window (payoutSendWindowMs: over 15 s with the test settings).
    const reviewed = await sys.waitFor(body.external_id, (p) => p.status === 'needs_review', 40_000);
    expect(reviewed.reason).toMatch(/^worker_lost_mid_send/);
    expect(sys.sandbox.received(body.external_id)).toBeUndefined();
  });
});

describe('a gateway answer whose record write lost its connection', () => {
  /** Starts a worker on `store` and counts the job failures it reports (each a BullMQ attempt used). */
  function startCountingFailures(store: PayoutStore) {
    const failures: string[] = [];
    startWorker(store).on('failed', (_job, err) => failures.push(err.message));
    return failures;
  }

  // No callback: only the worker's own write can move these payouts on.
  const noCallback = { customer_id: 'p+no-callback', country: 'LV', first_name: 'A', last_name: 'B' };

  test('cut before it reached Redis: written again, not handed to review; sent once', async () => {
    const body = cardPayout({ customer: noCallback });
    const lost = new Set([body.external_id]);
    const failures = startCountingFailures(
      losingTransitionAnswers(sys.system.store, 'gateway_pending', lost, 'before'),
    );
    await sys.system.producer.enqueuePayout(body);

    const done = await sys.waitFor(body.external_id, (p) => p.status === 'submitted');
    expect(lost.size).toBe(0); // the fault was injected
    expect(failures).toEqual([]);
    expect(sys.sandbox.received(body.external_id)).toMatchObject({ requests: 1, created: 1 });
    expect(done.attempts).toBe(1);
    const history = await events(body.external_id);
    expect(history.filter((e) => e === 'gateway_pending')).toHaveLength(1);
    expect(history).not.toContain('review');
    expect(sys.logs.some((l) => l.includes('trying again') && l.includes(body.external_id))).toBe(true);
  });

  test('refused for seconds (a fail-over): written on a later try, not handed to review', async () => {
    const body = cardPayout({ customer: noCallback });
    const lost = new Set([body.external_id]);
    const failures = startCountingFailures(
      losingTransitionAnswers(sys.system.store, 'gateway_pending', lost, 'before', 7),
    );
    await sys.system.producer.enqueuePayout(body);
    await sys.waitFor(body.external_id, (p) => p.status === 'submitted', 30_000);
    expect(lost.size).toBe(0); // refused seven times, over about 5 s
    expect(failures).toEqual([]);
    expect(sys.sandbox.received(body.external_id)).toMatchObject({ requests: 1, created: 1 });
    expect(await events(body.external_id)).not.toContain('review');
  });

  test('cut after it ran: the payout has left sending, so it is not written twice', async () => {
    const body = cardPayout({ customer: noCallback });
    const lost = new Set([body.external_id]);
    const failures = startCountingFailures(
      losingTransitionAnswers(sys.system.store, 'gateway_pending', lost, 'after'),
    );
    await sys.system.producer.enqueuePayout(body);

    await sys.waitFor(body.external_id, (p) => p.status === 'submitted');
    await expect
      .poll(() => sys.logs.some((l) => l.includes('has moved since') && l.includes(body.external_id)))
      .toBe(true);
    expect(lost.size).toBe(0);
    expect(failures).toEqual([]);
    expect(sys.sandbox.received(body.external_id)).toMatchObject({ requests: 1, created: 1 });
    const history = await events(body.external_id);
    expect(history.filter((e) => e === 'gateway_pending')).toHaveLength(1);
    expect(history).not.toContain('review');
  });

  test('not sent: the retry is written once and the job still waits for the next attempt', async () => {
    const body = cardPayout({
      customer: { customer_id: 'p+503x1+retry-after=0', country: 'LV', first_name: 'A', last_name: 'B' },
    });
    const lost = new Set([body.external_id]);
    const failures = startCountingFailures(losingTransitionAnswers(sys.system.store, 'retry', lost));
    await sys.system.producer.enqueuePayout(body);

    const done = await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    expect(lost.size).toBe(0);
    // The job was delayed, not failed: no BullMQ attempt was spent on the lost answer.
    expect(failures).toEqual([]);
    expect(sys.sandbox.received(body.external_id)).toMatchObject({ requests: 2, created: 1 });
    expect(done.attempts).toBe(2);
    const history = await events(body.external_id);
    expect(history.filter((e) => e === 'retry')).toHaveLength(1);
    expect(history).not.toContain('review');
  });
});
