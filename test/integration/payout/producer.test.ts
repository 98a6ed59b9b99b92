import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConflictError } from '../../../src/errors.js';
import { jobIdFor } from '../../../src/methods/index.js';
import { createPayoutStore } from '../../../src/payout/store.js';
import { createProducer } from '../../../src/producer/producer.js';
import { createPayoutQueue, type PayoutJobData } from '../../../src/queues.js';
import { sweep } from '../../../src/worker/maintenance.js';
import { captureLogger } from '../../helpers/capture-log.js';
import { deletePrefix, testPayloadKey, testRedis, uniquePrefix } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';

let redis: Redis;
let queue: Queue<PayoutJobData>;
const prefix = uniquePrefix('producer');
const log = captureLogger();

beforeAll(() => {
  redis = testRedis();
  queue = createPayoutQueue(redis, prefix);
});
afterAll(async () => {
  await queue.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

test('once the record is written the payout is accepted, even if adding its job fails; the sweep adds it', async () => {
  const store = createPayoutStore({
    redis,
    queuePrefix: prefix,
    payloadKeys: { current: testPayloadKey(), previous: [] },
    logger: log.logger,
  });
  // A queue whose Redis went away right after the record was written.
  const broken = {
    getJobState: async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    },
  } as unknown as Queue<PayoutJobData>;
  const producer = createProducer({ store, queue: broken, logger: log.logger });
  const body = cardPayout();
  const res = await producer.enqueuePayout(body);
  expect(res.created).toBe(true);
  expect(res.payout).toMatchObject({ external_id: body.external_id, status: 'queued', seq: 1 });
  expect(res.payout.history).toEqual([expect.objectContaining({ to: 'queued', event: 'created', seq: 1 })]);
  expect(log.text()).toContain('the sweep will add it');
  expect(await queue.getJobState(jobIdFor(body.external_id))).toBe('unknown');

  const repaired = await sweep(
    { store, payoutQueue: queue, logger: log.logger },
    { queuedGraceMs: 0, sendingGraceMs: 60_000 },
  );
  expect(repaired).toBe(1);
  expect(await queue.getJobState(jobIdFor(body.external_id))).toBe('waiting');
});

describe('a 409 names the fields that differ from the accepted request, never their values', () => {
  const card = cardPayout().payment_data;
  const cases: { name: string; change: Record<string, unknown>; fields: string[] }[] = [
    { name: 'amount', change: { amount: 1100001 }, fields: ['amount'] },
    {
      name: 'the customer and the currency',
      change: { currency: 'EUR', customer: { ...cardPayout().customer, country: 'EE' } },
      fields: ['currency', 'customer.country'],
    },
    {
      name: 'the card number',
      change: { payment_data: { ...card, card_number: '5555555555554444' } },
      fields: ['payment_data.card_number'],
    },
    {
      name: 'the method',
      change: {
        method: 'p2p_card',
        payment_data: { card_number: card.card_number, card_holder: 'John Doe', bank_name: 'Some Bank' },
      },
      fields: ['method', 'payment_data.bank_name', 'payment_data.exp_month', 'payment_data.exp_year'],
    },
  ];

  test.each(cases)('$name', async ({ change, fields }) => {
    const store = createPayoutStore({
      redis,
      queuePrefix: prefix,
      payloadKeys: { current: testPayloadKey(), previous: [] },
      logger: log.logger,
    });
    const producer = createProducer({ store, queue, logger: log.logger });
    const body = cardPayout();
    await producer.enqueuePayout(body);
    const refused = await producer.enqueuePayout({ ...body, ...change }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ConflictError);
    const conflict = refused as ConflictError;
    expect(conflict.issues?.map((i) => i.path)).toEqual(fields);
    expect(conflict.message).toContain(fields.join(', '));
    expect(conflict.message).not.toContain('5555');
    expect(conflict.message).not.toContain('4111');
  });
});

test("an operator's answer shows the payout of one moment, though a worker claims it before the history is read", async () => {
  const store = createPayoutStore({
    redis,
    queuePrefix: prefix,
    payloadKeys: { current: testPayloadKey(), previous: [] },
    logger: log.logger,
  });
  // The race made certain: a worker claims the payout between the read of its record and of its history.
  const claimedMeanwhile: typeof store = {
    ...store,
    history: async (externalId) => {
      expect((await store.claim(externalId, Date.now())).ok).toBe(true);
      return store.history(externalId);
    },
  };
  const producer = createProducer({ store: claimedMeanwhile, queue, logger: log.logger });
  const body = cardPayout();
  await store.create({
    method: 'bank_card',
    request: body,
    masked: {},
    notBefore: undefined,
  });
  await store.transition(body.external_id, 'gateway_unknown', { actor: 'callback', gatewayStatus: 7 });

  const resent = await producer.resolvePayout(body.external_id, {
    as: 'resend',
    note: 'checked',
    who: 'abel',
  });
  expect(resent).toMatchObject({ status: 'queued', seq: 3 });
  expect(resent.history.at(-1)).toMatchObject({ seq: 3, to: 'queued', event: 'resend' });
  expect((await store.get(body.external_id))?.status).toBe('sending');
});
