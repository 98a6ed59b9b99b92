import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  API_KEY,
  basic,
  DASHBOARD_PASSWORD,
  DASHBOARD_USER,
  type DashboardFixture,
  LEAKS,
  startDashboardFixture,
} from './dashboard-fixture.js';

let f: DashboardFixture;
const login = () => ({ authorization: basic(DASHBOARD_USER, DASHBOARD_PASSWORD) });

beforeAll(async () => {
  f = await startDashboardFixture('dash-http');
});
afterAll(async () => {
  await f?.close();
});

describe('dashboard login', () => {
  test.each([
    ['no credentials', undefined],
    ['a wrong password', basic(DASHBOARD_USER, 'not-the-password')],
    ['a wrong user', basic('admin', DASHBOARD_PASSWORD)],
    ['the password as user', basic(DASHBOARD_PASSWORD, DASHBOARD_USER)],
    ['no colon', `Basic ${Buffer.from(`${DASHBOARD_USER}${DASHBOARD_PASSWORD}`).toString('base64')}`],
    ['another scheme', `Bearer ${DASHBOARD_PASSWORD}`],
    ['the API key', `Bearer ${API_KEY}`],
  ])('%s: 401 with a Basic challenge, on the page and on the API', async (_name, authorization) => {
    for (const url of [
      '/admin/queues',
      '/admin/queues/api/queues',
      `/admin/queues/api/queues/payouts/${f.failedId}`,
    ]) {
      const res = await f.app.inject({ url, headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="payouts"');
      expect(res.body).not.toContain(f.failedExternalId);
    }
  });

  test('the right login: 200 for the page and the API', async () => {
    const page = await f.app.inject({ url: '/admin/queues', headers: login() });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<base href="/admin/queues/" />');
    const api = await f.app.inject({ url: '/admin/queues/api/queues', headers: login() });
    expect(api.statusCode).toBe(200);
    const names = (api.json() as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names.sort()).toEqual(['maintenance', 'notifications', 'payouts']);
  });

  test('the rest of the app is unaffected by the basic auth', async () => {
    expect((await f.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const own = await f.app.inject({
      url: `/v1/payouts/${f.waitingExternalId}`,
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(own.statusCode).toBe(200);
    expect(own.headers['www-authenticate']).toBeUndefined();
    // and the dashboard login opens nothing outside the dashboard
    const withBasic = await f.app.inject({ url: `/v1/payouts/${f.waitingExternalId}`, headers: login() });
    expect(withBasic.statusCode).toBe(401);
    expect(withBasic.headers['www-authenticate']).toBe('Bearer');
    expect((await f.app.inject({ url: '/nope' })).statusCode).toBe(404);
  });

  test('the dashboard stays out of the OpenAPI document', async () => {
    const res = await f.app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys((res.json() as { paths: Record<string, unknown> }).paths);
    expect(paths).toContain('/v1/payouts');
    expect(paths.filter((p) => p.startsWith('/admin'))).toEqual([]);
  });
});

describe('what the dashboard shows', () => {
  test('every queue is read-only, retries off', async () => {
    const res = await f.app.inject({ url: '/admin/queues/api/queues', headers: login() });
    expect(res.statusCode).toBe(200);
    const { queues } = res.json() as { queues: Record<string, unknown>[] };
    expect(queues.map((q) => q.name).sort()).toEqual(['maintenance', 'notifications', 'payouts']);
    for (const q of queues) {
      expect(q).toMatchObject({ readOnlyMode: true, allowRetries: false, allowCompletedRetries: false });
    }
  });

  test('a payout job shows its external_id only; its failure is sanitised', async () => {
    const res = await f.app.inject({
      url: `/admin/queues/api/queues/payouts/${f.failedId}`,
      headers: login(),
    });
    expect(res.statusCode).toBe(200);
    const { job, status } = res.json() as {
      job: { data: unknown; failedReason: string; stacktrace: string[] };
      status: string;
    };
    expect(status).toBe('failed');
    expect(job.data).toEqual({ externalId: f.failedExternalId });
    expect(job.failedReason).toContain('411111******1111');
    expect(job.failedReason).toContain('https://gw.example.test/v1/payout');
    expect(job.stacktrace.length).toBeGreaterThan(0);
    expect(job.stacktrace.join('\n')).toMatch(/\n\s+at /); // frames kept
    for (const leak of LEAKS) expect(res.body).not.toContain(leak);
  });

  test('the job list is sanitised the same way', async () => {
    const res = await f.app.inject({
      url: '/admin/queues/api/queues?activeQueue=payouts&status=latest&page=1&jobsPerPage=10',
      headers: login(),
    });
    const payouts = (res.json() as { queues: { name: string; jobs: { data: unknown }[] }[] }).queues.find(
      (q) => q.name === 'payouts',
    )!;
    expect(payouts.jobs.map((j) => j.data)).toEqual(
      expect.arrayContaining([{ externalId: f.failedExternalId }, { externalId: f.waitingExternalId }]),
    );
    for (const leak of LEAKS) expect(res.body).not.toContain(leak);
  });

  test('a notification job shows external_id and seq, never its body', async () => {
    const res = await f.app.inject({
      url: `/admin/queues/api/queues/notifications/${encodeURIComponent(f.notificationId)}`,
      headers: login(),
    });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { job: { data: unknown } }).job.data).toEqual({
      externalId: f.waitingExternalId,
      seq: 1,
    });
    expect(res.body).not.toContain('payment_data');
    expect(res.body).not.toContain('4111111111111111');
  });

  test('job logs are sanitised', async () => {
    const job = await f.queues.payouts.getJob(f.failedId);
    await job!.log('retrying https://u:secret-pw@gw.example.test/?sig=zz card 4111111111111111');
    const res = await f.app.inject({
      url: `/admin/queues/api/queues/payouts/${f.failedId}/logs`,
      headers: login(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(['retrying https://gw.example.test/ card 411111******1111']);
  });
});

describe('read-only: nothing can re-run or change a payout', () => {
  const mutations = () =>
    [
      ['retry a failed job', 'PUT', `/api/queues/payouts/${f.failedId}/retry`],
      ['retry all failed', 'PUT', '/api/queues/payouts/retry/failed'],
      ['promote a job', 'PUT', `/api/queues/payouts/${f.waitingId}/promote`],
      ['promote all', 'PUT', '/api/queues/payouts/promote'],
      ['clean a job', 'PUT', `/api/queues/payouts/${f.failedId}/clean`],
      ['clean all failed', 'PUT', '/api/queues/payouts/clean/failed'],
      ['update job data', 'PATCH', `/api/queues/payouts/${f.waitingId}/update-data`],
      ['add a job', 'POST', '/api/queues/payouts/add'],
      ['empty the queue', 'PUT', '/api/queues/payouts/empty'],
      ['obliterate the queue', 'PUT', '/api/queues/payouts/obliterate'],
      ['pause the queue', 'PUT', '/api/queues/payouts/pause'],
      ['pause all', 'PUT', '/api/queues/pause'],
      ['add a notification', 'POST', '/api/queues/notifications/add'],
      ['edit a notification', 'PATCH', `/api/queues/notifications/${f.notificationId}/update-data`],
      ['promote a notification', 'PUT', `/api/queues/notifications/${f.notificationId}/promote`],
      ['remove a maintenance scheduler', 'PUT', '/api/queues/maintenance/job-schedulers/sweep/remove'],
    ] as const;

  test('every mutation is refused with 405 and changes nothing', async () => {
    const before = await f.queues.payouts.getJobCounts();
    for (const [name, method, path] of mutations()) {
      const res = await f.app.inject({
        method,
        url: `/admin/queues${path}`,
        headers: login(),
        payload: { name: 'payout', data: { externalId: 'po-forged' } },
      });
      expect({ name, status: res.statusCode }).toEqual({ name, status: 405 });
    }
    expect(await f.queues.payouts.getJobCounts()).toEqual(before);
    expect(await f.queues.payouts.getJobState(f.failedId)).toBe('failed');
    expect(await f.queues.payouts.getJobState(f.waitingId)).toBe('waiting');
    expect(await f.queues.payouts.isPaused()).toBe(false);
    expect((await f.queues.payouts.getJob(f.waitingId))!.data).toEqual({ externalId: f.waitingExternalId });
    expect((await f.queues.notifications.getJobCounts()).delayed).toBe(1);
  });

  test('without a login a mutation is refused before anything else', async () => {
    const res = await f.app.inject({
      method: 'PUT',
      url: `/admin/queues/api/queues/payouts/${f.failedId}/retry`,
    });
    expect(res.statusCode).toBe(401);
    expect(await f.queues.payouts.getJobState(f.failedId)).toBe('failed');
  });
});
