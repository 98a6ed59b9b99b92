import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { buildApp } from '../../../src/app.js';
import { jobIdFor } from '../../../src/methods/index.js';
import { createAuthenticator } from '../../../src/operators/authenticate.js';
import { registerDashboard } from '../../../src/ops/dashboard.js';
import { createPayoutStore } from '../../../src/payout/store.js';
import { createProducer } from '../../../src/producer/producer.js';
import { createPayoutQueue, QUEUE } from '../../../src/queues.js';
import { NOTIFICATIONS_QUEUE } from '../../../src/worker/notifier.js';
import { captureLogger } from '../../helpers/capture-log.js';
import { deletePrefix, testPayloadKey, testRedis, uniquePrefix } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';

export const CARD = '4111111111111111';
export const DASHBOARD_USER = 'ops';
export const DASHBOARD_PASSWORD = 'dashboard-pass-for-tests-only';
export const API_KEY = 'api-key-for-tests-only-0123456789';
/** Stands in for the merchant key: a secret the sanitiser is told about. */
export const MERCHANT_KEY = 'merchant-key-for-tests-XYZ987';

/**
 * What a careless error could carry: userinfo and a signed query in a URL, a card number, a
 * response body, a header dump and a known secret. None of it may reach the dashboard.
 */
export const NASTY_FAILURE =
  `gateway POST https://merchant:url-pass-42@gw.example.test/v1/payout?signature=sig-abc-123&card=${CARD} ` +
  `failed for card ${CARD} (key ${MERCHANT_KEY}); response body: {"card_number":"4111 1111 1111 1111","cvv":"123"}`;

/** Every string that must never appear on the dashboard. */
export const LEAKS = [
  CARD,
  '4111 1111 1111 1111',
  'url-pass-42',
  'sig-abc-123',
  MERCHANT_KEY,
  '"cvv"',
  'card_number',
];

/** 13-19 digit runs (single spaces or dashes allowed between digits) that pass Luhn. */
export function luhnValidRuns(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?<![\d-])\d(?:[ -]?\d){12,18}(?!\d)/g)) {
    const digits = m[0].replace(/[ -]/g, '');
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 === 0) out.push(m[0]);
  }
  return out;
}

export interface DashboardFixture {
  app: FastifyInstance;
  redis: Redis;
  queues: { payouts: Queue; maintenance: Queue; notifications: Queue };
  /** A payout job waiting to run. */
  waitingId: string;
  /** A payout job that failed with NASTY_FAILURE. */
  failedId: string;
  waitingExternalId: string;
  failedExternalId: string;
  /** A notification job whose body holds a card number. */
  notificationId: string;
  close(): Promise<void>;
}

/**
 * The real app (buildApp) with the dashboard, on real BullMQ queues under a prefix of its own: one
 * payout job waiting, one failed with a reason full of secrets, one notification job.
 */
export async function startDashboardFixture(name: string): Promise<DashboardFixture> {
  const prefix = uniquePrefix(name);
  const redis = testRedis();
  const { logger } = captureLogger({ level: 'warn' });
  const store = createPayoutStore({
    redis,
    queuePrefix: prefix,
    payloadKeys: { current: testPayloadKey(), previous: [] },
    logger,
  });
  const payouts = createPayoutQueue(redis, prefix);
  const maintenance = new Queue(QUEUE.maintenance, { connection: redis, prefix: prefix });
  const notifications = new Queue(NOTIFICATIONS_QUEUE, { connection: redis, prefix: prefix });
  const producer = createProducer({ store, queue: payouts, logger });

  // A payout job that fails the way a careless processor would make it fail.
  const failing = cardPayout();
  await producer.enqueuePayout(failing);
  const workerRedis = testRedis();
  const worker = new Worker(
    QUEUE.payouts,
    async () => {
      throw new UnrecoverableError(NASTY_FAILURE);
    },
    { connection: workerRedis, prefix: prefix, autorun: false },
  );
  const failedOnce = new Promise<void>((resolve) => worker.once('failed', () => resolve()));
  void worker.run();
  await failedOnce;
  await worker.close();
  workerRedis.disconnect();

  const waiting = cardPayout();
  await producer.enqueuePayout(waiting);
  await maintenance.add('sweep', { kind: 'sweep' }, { delay: 60_000 });
  const notification = await notifications.add(
    'notify',
    {
      externalId: waiting.external_id,
      seq: 1,
      body: JSON.stringify({ event: 'payout.queued', payout: { payment_data: { card_number: CARD } } }),
    },
    { jobId: `${jobIdFor(waiting.external_id)}-n1`, delay: 60_000 },
  );

  const authenticate = createAuthenticator([
    { name: DASHBOARD_USER, role: 'viewer', secret: { plain: DASHBOARD_PASSWORD } },
  ]);
  const app = await buildApp({
    logger,
    producer,
    apiKeys: [API_KEY],
    bodyLimitBytes: 65_536,
    plugins: [
      (a) =>
        registerDashboard(a, {
          queues: { payouts, others: [maintenance, notifications] },
          login: async (user, password) => (await authenticate(user, password)) !== undefined,
          secrets: [MERCHANT_KEY, DASHBOARD_PASSWORD, API_KEY],
        }),
    ],
  });

  return {
    app,
    redis,
    queues: { payouts, maintenance, notifications },
    waitingId: jobIdFor(waiting.external_id),
    failedId: jobIdFor(failing.external_id),
    waitingExternalId: waiting.external_id,
    failedExternalId: failing.external_id,
    notificationId: notification.id!,
    async close() {
      await app.close();
      await Promise.all([payouts.close(), maintenance.close(), notifications.close()]);
      await deletePrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
