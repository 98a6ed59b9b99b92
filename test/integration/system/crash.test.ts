import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { isTerminal, type PayoutState } from '../../../src/payout/states.js';
import { startPrivateRedis } from '../../helpers/private-redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { FORBIDDEN_IN_LOGS, startTestSystem, type TestSystem } from '../../helpers/system.js';

/** A `payouts worker` process of its own, so it can be killed like a real one. */
function spawnWorker(env: Record<string, string>, output: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'worker'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => output.push(String(d)));
  child.stderr?.on('data', (d) => output.push(String(d)));
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

const systems: TestSystem[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of systems) await s.close();
});

describe('a worker process killed with SIGKILL mid-flight', () => {
  test('100 in-flight payouts: none lost, none sent twice', async () => {
    const sys = await startTestSystem({
      parts: ['api'],
      sandbox: { latency: 300 },
      env: { WORKER_LOCK_MS: '2000', WORKER_CONCURRENCY: '50' },
    });
    systems.push(sys);
    const workerLogs: string[] = [];
    const first = spawnWorker(sys.env, workerLogs);
    children.push(first);

    const ids = Array.from({ length: 100 }, () => `po-${randomBytes(6).toString('hex')}`);
    for (const externalId of ids) {
      expect((await sys.request('POST', '/v1/payouts', cardPayout({ external_id: externalId }))).status).toBe(
        202,
      );
    }
    // Kill it while requests are in flight at the gateway.
    await expect
      .poll(() => ids.filter((i) => sys.sandbox.received(i)).length, { timeout: 30_000, interval: 20 })
      .toBeGreaterThan(10);
    first.kill('SIGKILL');
    await exited(first);
    const inFlightAtKill = ids.filter((i) => sys.sandbox.received(i)).length;
    expect(inFlightAtKill).toBeLessThan(100);

    const second = spawnWorker(sys.env, workerLogs);
    children.push(second);
    const settled = async () => {
      let n = 0;
      for (const externalId of ids) {
        const p = (await sys.request('GET', `/v1/payouts/${externalId}`)).body;
        if (isTerminal(p.status as PayoutState) || (p.status === 'needs_review' && p.reason)) n++;
      }
      return n;
    };
    await expect.poll(settled, { timeout: 60_000, interval: 500 }).toBe(100);

    const states: Record<string, number> = {};
    for (const externalId of ids) {
      const p = (await sys.request('GET', `/v1/payouts/${externalId}`)).body;
      states[p.status] = (states[p.status] ?? 0) + 1;
      const seen = sys.sandbox.received(externalId);
      // none sent twice
      expect(seen?.requests ?? 0).toBeLessThanOrEqual(1);
      expect(seen?.created ?? 0).toBeLessThanOrEqual(1);
      if (p.status === 'needs_review') expect(p.reason).toMatch(/worker_lost_mid_send|outcome_unknown/);
    }
    // Every payout ends succeeded, or waits for review because it was caught mid-send: at most the
    // killed worker's concurrency (50) were. Those that reached the gateway may also be settled by its callback.
    expect((states.succeeded ?? 0) + (states.needs_review ?? 0)).toBe(100);
    expect(states.needs_review ?? 0).toBeLessThanOrEqual(50);

    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
    const text = workerLogs.join('');
    for (const secret of FORBIDDEN_IN_LOGS) expect(text).not.toContain(secret);
  }, 120_000);
});

describe('Redis down', () => {
  test('enqueue answers 503 and stores nothing; the worker resumes by itself when Redis is back', async () => {
    const redis = await startPrivateRedis();
    const sys = await startTestSystem({ env: { REDIS_URL: redis.url } });
    systems.push(sys);

    const before = cardPayout({ external_id: `po-${randomBytes(6).toString('hex')}` });
    expect((await sys.request('POST', '/v1/payouts', before)).status).toBe(202);
    await sys.waitFor(before.external_id, (p) => p.status === 'succeeded');

    await redis.stop();
    const during = cardPayout({ external_id: `po-${randomBytes(6).toString('hex')}` });
    const refused = await sys.request('POST', '/v1/payouts', during);
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('store_unavailable');
    const ready = await fetch(`${sys.api}/readyz`);
    expect(ready.status).toBe(503);

    await redis.start();
    // nothing half-written: the refused payout does not exist, the earlier one does
    await expect
      .poll(async () => (await sys.request('GET', `/v1/payouts/${before.external_id}`)).status, {
        timeout: 15_000,
      })
      .toBe(200);
    expect((await sys.request('GET', `/v1/payouts/${during.external_id}`)).status).toBe(404);

    const after = cardPayout({ external_id: `po-${randomBytes(6).toString('hex')}` });
    expect((await sys.request('POST', '/v1/payouts', after)).status).toBe(202);
    await sys.waitFor(after.external_id, (p) => p.status === 'succeeded', 30_000);
    expect((await fetch(`${sys.api}/readyz`)).status).toBe(200);
    await sys.close();
    systems.pop();
    await redis.stop();
  }, 90_000);
});
