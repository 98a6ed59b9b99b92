import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { waitForAll } from '../../helpers/wait-all.js';

/** The kill switch: pausing a payment_system, or every one (`*`), over the real Redis and sandbox. */

let sys: TestSystem;
const by = { who: 'ops-lead', via: 'api' as const, note: 'gateway incident' };
const id = (tag: string) => `${tag}-${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  sys = await startTestSystem({ env: { WORKER_CONCURRENCY: '20' } });
});
afterAll(async () => {
  await sys?.close();
});

/** Sends `n` payouts for a payment_system and returns their external_ids. */
async function enqueue(paymentSystem: string, n: number, tag: string): Promise<string[]> {
  const ids = Array.from({ length: n }, () => id(tag));
  const answers = await Promise.all(
    ids.map((externalId) =>
      sys.request(
        'POST',
        '/v1/payouts',
        cardPayout({ external_id: externalId, payment_system: paymentSystem }),
      ),
    ),
  );
  expect(answers.map((a) => a.status)).toEqual(ids.map(() => 202));
  return ids;
}

const requestsAtSandbox = (externalId: string) => sys.sandbox.received(externalId)?.requests ?? 0;

/** Waits until the workers found `n` payouts held by a pause (their claims note them as held). */
async function waitHeld(n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await sys.system.controls.pauses.heldCount()) < n) {
    if (Date.now() > deadline) throw new Error(`fewer than ${n} payouts were held`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const succeeded = (p: { status: string }) => p.status === 'succeeded';

describe('pausing a payment_system', () => {
  test('100 waiting payouts of a paused system: none sent until resumed, each exactly once after; another system flows', async () => {
    const paused = `PAUSED_${randomBytes(3).toString('hex')}`;
    await sys.system.controls.pauses.pause(paused, by);
    const held = await enqueue(paused, 100, 'held');
    const flowing = await enqueue('TEST_PS', 10, 'flow');

    // The other system's payouts are sent meanwhile: the workers run, and they skip only the paused.
    await waitForAll(sys, flowing, succeeded);
    await waitHeld(100);
    expect(held.map(requestsAtSandbox)).toEqual(held.map(() => 0));
    const view = (await sys.request('GET', `/v1/payouts/${held[0]}`)).body;
    expect(view).toMatchObject({
      status: 'queued',
      attempts: 0,
      hold: { reason: 'paused', payment_system: paused, by: 'ops-lead', note: 'gateway incident' },
    });
    // Accepted, never failed or moved: each history is its creation alone.
    expect(view.history.map((h: { to: string }) => h.to)).toEqual(['queued']);

    const { removed, woken } = await sys.system.controls.pauses.resume(paused, by);
    expect(removed.map((p) => p.payment_system)).toEqual([paused]);
    expect(woken).toBe(100);
    const done = await waitForAll(sys, held, succeeded);
    expect(held.map(requestsAtSandbox)).toEqual(held.map(() => 1));
    expect(done.map((p) => p.attempts)).toEqual(held.map(() => 1));
    expect(done.every((p) => p.hold === undefined)).toBe(true);
    expect(await sys.system.controls.pauses.heldCount()).toBe(0);
  });

  test("'*' holds every system; resuming one system while '*' holds it sends nothing; resuming '*' sends all", async () => {
    const a = `A_${randomBytes(3).toString('hex')}`;
    const b = `B_${randomBytes(3).toString('hex')}`;
    await sys.system.controls.pauses.pause(a, by);
    await sys.system.controls.pauses.pause('*', by);
    const ids = [...(await enqueue(a, 5, 'all')), ...(await enqueue(b, 5, 'all'))];
    await waitHeld(10);

    const partial = await sys.system.controls.pauses.resume(a, by);
    expect(partial.removed.map((p) => p.payment_system)).toEqual([a]);
    expect(partial.remaining.map((p) => p.payment_system)).toEqual(['*']);
    expect(partial.woken).toBe(0);
    const view = (await sys.request('GET', `/v1/payouts/${ids[0]}`)).body;
    expect(view.hold).toMatchObject({ reason: 'paused', payment_system: '*' });

    const all = await sys.system.controls.pauses.resume('*', by);
    expect(all.remaining).toEqual([]);
    await waitForAll(sys, ids, succeeded);
    expect(ids.map(requestsAtSandbox)).toEqual(ids.map(() => 1));
    expect(await sys.system.controls.pauses.list()).toEqual([]);
  });

  test('a payout waiting for its retry is not sent when due while paused, and keeps its attempts', async () => {
    const system = `RETRY_${randomBytes(3).toString('hex')}`;
    const body = cardPayout({
      external_id: id('retry'),
      payment_system: system,
      customer: { customer_id: 'p+503x1+retry-after=1', country: 'LV', first_name: 'A', last_name: 'B' },
    });
    await sys.request('POST', '/v1/payouts', body);
    await sys.waitFor(body.external_id, (p) => p.status === 'retry_scheduled');
    await sys.system.controls.pauses.pause(system, by);
    // Its retry falls due (Retry-After: 1 s) and is claimed: held, not sent, its one attempt kept.
    await waitHeld(1);
    const waiting = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(waiting).toMatchObject({ status: 'retry_scheduled', attempts: 1, hold: { reason: 'paused' } });
    expect(requestsAtSandbox(body.external_id)).toBe(1);

    await sys.system.controls.pauses.resume(system, by);
    const done = await sys.waitFor(body.external_id, succeeded, 30_000);
    expect(done.attempts).toBe(2);
    expect(requestsAtSandbox(body.external_id)).toBe(2);
  });
});

describe('POST /v1/controls/pause and /resume', () => {
  test('an admin pauses and resumes over HTTP; GET /v1/controls shows it; the audit log has before and after', async () => {
    const system = `HTTP_${randomBytes(3).toString('hex')}`;
    const paused = await sys.operatorRequest('POST', '/v1/controls/pause', {
      payment_system: system,
      note: 'incident #9',
    });
    expect(paused.status).toBe(200);
    expect(paused.body.paused).toContainEqual(
      expect.objectContaining({ payment_system: system, by: sys.admin.name, note: 'incident #9' }),
    );
    const controls = (await sys.operatorRequest('GET', '/v1/controls')).body;
    expect(controls.paused.map((p: { payment_system: string }) => p.payment_system)).toContain(system);
    expect(Array.isArray(controls.breakers)).toBe(true);

    const resumed = await sys.operatorRequest('POST', '/v1/controls/resume', { payment_system: system });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ resumed: [{ payment_system: system }], woken: 0 });

    const audit = (await sys.operatorRequest('GET', '/v1/audit')).body.entries;
    const [resume, pause] = audit.filter((e: { target: string }) => e.target === system);
    expect(pause).toMatchObject({
      action: 'controls.pause',
      who: sys.admin.name,
      via: 'api',
      note: 'incident #9',
    });
    expect(pause.before[system]).toBeUndefined();
    expect(pause.after[system]).toMatchObject({ by: sys.admin.name });
    expect(resume).toMatchObject({ action: 'controls.resume', who: sys.admin.name });
    expect(resume.before[system]).toMatchObject({ by: sys.admin.name });
    expect(resume.after[system]).toBeUndefined();
  });

  test.each([
    [{}, 'payment_system'],
    [{ payment_system: '' }, 'payment_system'],
    [{ payment_system: 'A\u001b[2J' }, 'payment_system'],
    [{ payment_system: 'A', note: 7 }, 'note'],
    [{ payment_system: 'A', extra: true }, 'body'],
  ])('a bad body %j is a 422 naming %s', async (body, path) => {
    const res = await sys.operatorRequest('POST', '/v1/controls/pause', body);
    expect(res.status).toBe(422);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  test('the integration key cannot pause (403); without credentials 401', async () => {
    const body = { payment_system: 'TEST_PS' };
    expect((await sys.request('POST', '/v1/controls/pause', body)).status).toBe(403);
    expect((await sys.request('POST', '/v1/controls/resume', body)).status).toBe(403);
    expect((await sys.request('POST', '/v1/controls/pause', body, { authorization: '' })).status).toBe(401);
    expect(await sys.system.controls.pauses.list()).toEqual([]);
  });
});
