import { afterEach, describe, expect, test } from 'vitest';
import { withSignature } from '../../../src/gateway/signature.js';
import { startPrivateRedis } from '../../helpers/private-redis.js';
import { type PrivateRedis, startPrimaryWithReplica, waitInSync } from '../../helpers/replication.js';
import { cardPayout } from '../../helpers/requests.js';
import { postUntilNot503, startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * REDIS_DURABILITY against real redis-servers on loopback ports: nothing irreversible (a 202, a send,
 * a callback's `{"result":"ok"}`) before the write is durable as the setting asks.
 */

let sys: TestSystem | undefined;
let servers: PrivateRedis[] = [];
afterEach(async () => {
  for (const s of servers) s.release();
  await sys?.close();
  for (const s of servers) await s.stop();
  sys = undefined;
  servers = [];
});

describe('REDIS_DURABILITY=fsync', () => {
  test.each([
    [
      'appendfsync everysec',
      ['--appendfsync', 'everysec'],
      "Invalid setting REDIS_DURABILITY: fsync needs Redis's appendfsync always (it is everysec): set appendfsync always in redis.conf (CONFIG SET appendfsync always for a running one)",
    ],
    [
      'appendonly no',
      ['--appendonly', 'no'],
      "Invalid setting REDIS_DURABILITY: fsync needs Redis's appendonly yes (it is no): set appendonly yes and appendfsync always in redis.conf",
    ],
  ])('refused at start against a Redis with %s, in one line naming the setting', async (_n, args, line) => {
    const redis = await startPrivateRedis({ args });
    servers.push(redis);
    const start = startTestSystem({ env: { REDIS_URL: redis.url, REDIS_DURABILITY: 'fsync' } });
    await expect(start).rejects.toThrow(line);
  });

  test('accepted against appendonly yes with appendfsync always, and a payout goes through', async () => {
    const redis = await startPrivateRedis(); // appendfsync always
    servers.push(redis);
    sys = await startTestSystem({ env: { REDIS_URL: redis.url, REDIS_DURABILITY: 'fsync' } });
    const body = cardPayout();
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
  });
});

describe('REDIS_DURABILITY=replicas:1 with the replica held back', () => {
  test('nothing is sent, new payouts and callbacks get 503 "outcome unknown"; once it catches up, each payout is sent exactly once', async () => {
    const { primary, replica } = await startPrimaryWithReplica();
    servers.push(primary, replica);
    sys = await startTestSystem({
      env: { REDIS_URL: primary.url, REDIS_DURABILITY: 'replicas:1', REDIS_DURABILITY_TIMEOUT_MS: '200' },
    });
    const s = sys;
    const bodies = [cardPayout(), cardPayout(), cardPayout()];
    const callback = withSignature(
      { status: 4, type: 2, external_id: 'po-not-ours', order_id: '123' },
      s.config.gateway.callbackSalt,
    );

    replica.hold();
    for (const body of bodies) {
      const res = await s.request('POST', '/v1/payouts', body);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('store_unavailable');
      expect(res.body.error.message).toContain(
        'outcome unknown, retry the same request (same external_id and body)',
      );
      expect(res.body.error.message).not.toMatch(/nothing was accepted/i);
    }
    const cb = await s.request('POST', '/v1/callbacks/gateway', callback, { authorization: '' });
    expect(cb.status).toBe(503);
    // Each payout was written on the primary, and a worker claimed it, but gave the claim back
    // without counting the attempt.
    type Entry = { event: string; attempt?: number };
    for (const body of bodies) {
      const p = await s.waitFor(body.external_id, (v) =>
        v.history.some((h: Entry) => h.event === 'give_back'),
      );
      const givenBack = p.history.filter((h: Entry) => h.event === 'give_back');
      expect(givenBack.map((h: Entry) => h.attempt)).toEqual(givenBack.map(() => 0));
    }
    expect(bodies.map((b) => s.sandbox.received(b.external_id))).toEqual([undefined, undefined, undefined]);

    replica.release();
    await waitInSync(primary, replica);
    for (const body of bodies) {
      // The same request again: the payout is there, and now durable.
      expect((await postUntilNot503(s, '/v1/payouts', body)).status).toBe(200);
    }
    expect((await postUntilNot503(s, '/v1/callbacks/gateway', callback, { authorization: '' })).body).toEqual(
      {
        result: 'ok',
      },
    );
    for (const body of bodies) {
      const p = await s.waitFor(body.external_id, (v) => v.status === 'succeeded');
      expect(p.attempts).toBe(1);
      expect(s.sandbox.received(body.external_id)?.requests).toBe(1);
    }
  });
});
