import { afterAll, beforeAll, expect, test } from 'vitest';
import { ensurePayoutJob } from '../../../src/queues.js';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/** A payout with not_before is not sent earlier: the job waits, and a claim before the time is refused. */

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  await sys?.close();
});

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

const sentAt = (payout: { history: { to: string; at: string }[] }) =>
  payout.history.find((entry) => entry.to === 'sending')?.at;

test('not sent before its time, visible in its view', async () => {
  const notBefore = inSeconds(2);
  const body = { ...cardPayout(), not_before: notBefore };
  const res = await sys.request('POST', '/v1/payouts', body);
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ status: 'queued', not_before: notBefore });
  const done = await sys.waitFor(body.external_id, (p) => p.status === 'succeeded', 30_000);
  expect(Date.parse(sentAt(done) ?? '')).toBeGreaterThanOrEqual(Date.parse(notBefore));
  expect(done.not_before).toBe(notBefore);
});

test('a job that runs early (the sweep re-adds one without its delay) sends nothing before the time', async () => {
  const notBefore = inSeconds(3);
  const body = { ...cardPayout(), not_before: notBefore };
  expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
  // Remove the delayed job and add one due now, as the sweep would for a payout whose job was lost.
  const job = await sys.system.payoutQueue.getJob(`p-${body.external_id}`);
  await job?.remove();
  await ensurePayoutJob(sys.system.payoutQueue, body.external_id);
  const done = await sys.waitFor(body.external_id, (p) => p.status === 'succeeded', 30_000);
  expect(Date.parse(sentAt(done) ?? '')).toBeGreaterThanOrEqual(Date.parse(notBefore));
});

test('the same schedule again is the same request; another schedule is a 409 naming not_before', async () => {
  const body = { ...cardPayout(), not_before: inSeconds(600) };
  expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
  expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(200);
  const other = await sys.request('POST', '/v1/payouts', { ...body, not_before: inSeconds(700) });
  expect(other.status).toBe(409);
  expect(other.body.error.issues).toEqual([
    { path: 'not_before', message: 'differs from the request first accepted' },
  ]);
  const cancelled = await sys.request('GET', `/v1/payouts/${body.external_id}`);
  expect(cancelled.body.status).toBe('queued');
});
