import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { jobIdFor } from '../../../src/methods/index.js';
import type { PayoutStore } from '../../../src/payout/store.js';
import type { PayoutJobData } from '../../../src/queues.js';
import { testRedis } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { startPayoutWorker, startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * A payout job carries its id only; the policy for a processor that crashed (tried again after 1 s,
 * 2 s, ...) is the worker's. Jobs added before, with `attempts` and `backoff` of their own, still work.
 */

let sys: TestSystem;
const running: { close(): Promise<void> }[] = [];
const redis = testRedis();

beforeAll(async () => {
  // The API alone: each test runs its own worker.
  sys = await startTestSystem({ parts: ['api'] });
});
afterEach(async () => {
  for (const started of running.splice(0)) await started.close();
});
afterAll(async () => {
  await sys?.close();
  redis.disconnect();
});

const jobKey = (externalId: string) => `${sys.config.queuePrefix}:payouts:${jobIdFor(externalId)}`;

/** The system's store, except that the first claim of each listed payout throws before it runs. */
function crashingFirstClaim(store: PayoutStore, externalIds: Set<string>): PayoutStore {
  return {
    ...store,
    async claim(externalId, dueBy, token) {
      if (externalIds.delete(externalId)) throw new Error('processor crashed');
      return store.claim(externalId, dueBy, token);
    },
  };
}

function startWorker(store: PayoutStore): Worker<PayoutJobData> {
  const started = startPayoutWorker(sys, { store });
  running.push(started);
  return started.worker;
}

describe('a payout job', () => {
  test('carries its id only: with a UUID external_id its hash stays compact (listpack), also once processed', async () => {
    const body = cardPayout({ external_id: randomUUID() });
    await sys.system.producer.enqueuePayout(body);
    const opts = JSON.parse((await redis.hget(jobKey(body.external_id), 'opts')) ?? '{}');
    expect(opts).toEqual({ jobId: jobIdFor(body.external_id), attempts: 0 });
    expect(await redis.object('ENCODING', jobKey(body.external_id))).toBe('listpack');

    startWorker(sys.system.store);
    await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    expect(await redis.object('ENCODING', jobKey(body.external_id))).toBe('listpack');
  });
});

describe('a processor that crashes', () => {
  test('is tried again after a second, and the payout is sent once', async () => {
    const body = cardPayout();
    const worker = startWorker(crashingFirstClaim(sys.system.store, new Set([body.external_id])));
    const failures: { attemptsMade: number; message: string }[] = [];
    worker.on('failed', (job, err) =>
      failures.push({ attemptsMade: job?.attemptsMade ?? -1, message: err.message }),
    );
    const started = Date.now();
    await sys.system.producer.enqueuePayout(body);

    const done = await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    expect(failures).toEqual([{ attemptsMade: 1, message: 'processor crashed' }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(done.attempts).toBe(1);
    expect(sys.sandbox.received(body.external_id)).toMatchObject({ requests: 1, created: 1 });
    // The policy is the worker's: nothing was written into the job's options.
    const opts = JSON.parse((await redis.hget(jobKey(body.external_id), 'opts')) ?? '{}');
    expect(opts).toEqual({ jobId: jobIdFor(body.external_id), attempts: 0 });
  });

  test('of a job added before, with attempts and backoff of its own: tried again by its own', async () => {
    const body = cardPayout();
    // The record first, without a job (a payout held for approval gets none); then its job as the
    // version before added it.
    const worker = startWorker(crashingFirstClaim(sys.system.store, new Set([body.external_id])));
    const failed = new Promise<number>((resolve) =>
      worker.once('failed', (job) => resolve(job?.attemptsMade ?? -1)),
    );
    await sys.system.payoutQueue.pause();
    await sys.system.producer.enqueuePayout(body);
    const job = await sys.system.payoutQueue.getJob(jobIdFor(body.external_id));
    await job?.remove();
    await sys.system.payoutQueue.add(
      'payout',
      { externalId: body.external_id },
      { jobId: jobIdFor(body.external_id), attempts: 20, backoff: { type: 'e' } },
    );
    await sys.system.payoutQueue.resume();

    expect(await failed).toBe(1);
    await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    expect(sys.sandbox.received(body.external_id)).toMatchObject({ requests: 1, created: 1 });
    const opts = JSON.parse((await redis.hget(jobKey(body.external_id), 'opts')) ?? '{}');
    expect(opts).toMatchObject({ attempts: 20, backoff: { type: 'e' } });
  });
});
