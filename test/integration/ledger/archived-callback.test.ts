import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listUnknownCallbacks } from '../../../src/feedback/callbacks.js';
import { sign } from '../../../src/gateway/signature.js';
import { createLedgerArchiver } from '../../../src/ledger/archiver.js';
import { connectLedger, type LedgerDb } from '../../../src/ledger/db.js';
import { ledgerSchema } from '../../helpers/ledger.js';
import { testRedis } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * A gateway callback about a payout archived out of Redis lands against that payout: one that agrees
 * with its final state changes nothing, one that contradicts it is recorded in its history in the
 * ledger and raised (metric, log, notification); never filed as unknown, never revived in Redis.
 */

const DAY = 86_400_000;
let schema: Awaited<ReturnType<typeof ledgerSchema>>;
let sys: TestSystem;
let db: LedgerDb;
let receiver: Server;
const notified: { event: string; payout: Record<string, any> }[] = [];
const redis = testRedis();

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      notified.push(JSON.parse(data));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  schema = await ledgerSchema();
  sys = await startTestSystem({
    env: {
      LEDGER_DATABASE_URL: schema.url,
      PAYOUT_RETENTION_DAYS: '1',
      NOTIFY_URL: `http://127.0.0.1:${port}/hooks`,
      NOTIFY_SECRET: 'test-notify-secret-0123456789',
    },
  });
  db = connectLedger(schema.url, sys.system.logger);
});

afterAll(async () => {
  await db?.destroy();
  await sys?.close();
  await schema?.drop();
  await new Promise((r) => receiver?.close(r));
  redis.disconnect();
});

async function until(what: string, check: () => Promise<boolean> | boolean) {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function callback(params: Record<string, unknown>) {
  return sys.request('POST', '/v1/callbacks/gateway', {
    ...params,
    signature: sign(params, sys.config.gateway.callbackSalt),
  });
}

const contradictions = async () => {
  const text = String((await sys.request('GET', '/metrics')).body);
  return Number(/payouts_contradictions_total\{kind="payout"\} (\d+)/.exec(text)?.[1] ?? 0);
};

describe('a callback for an archived payout', () => {
  test('is checked against the archived payout: agreeing changes nothing, contradicting is recorded in the ledger and raised', async () => {
    const body = cardPayout({
      customer: { customer_id: 'cb1', country: 'LV', first_name: 'A', last_name: 'B' },
    });
    const id = body.external_id;
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    const paid = await sys.waitFor(id, (p) => p.status === 'succeeded');
    await until(
      'the outbox to drain',
      async () => (await redis.llen(sys.system.store.keys.ledgerOutbox)) === 0,
    );
    const run = await createLedgerArchiver({
      redis,
      queuePrefix: sys.config.queuePrefix,
      db,
      logger: sys.system.logger,
      retentionMs: DAY,
      now: () => Date.now() + 2 * DAY,
    }).archiveOnce();
    expect(run.archived).toBeGreaterThanOrEqual(1);
    expect(await sys.system.store.get(id)).toBeUndefined();
    const seqBefore = paid.seq;
    const own = {
      type: 2,
      external_id: id,
      order_id: paid.order_id,
      amount: String(body.amount),
      currency: 'USD',
    };

    // The gateway repeats its success: nothing new, not unknown.
    expect(await callback({ ...own, status: 4 })).toEqual({ status: 200, body: { result: 'ok' } });
    const before = await contradictions();
    // It now says the payout was declined: a contradiction, recorded against the payout.
    expect(await callback({ ...own, status: 5, reason: 'declined late' })).toEqual({
      status: 200,
      body: { result: 'ok' },
    });
    // And one with another amount: another payout under this external_id.
    expect(await callback({ ...own, status: 4, amount: String(body.amount + 1) })).toEqual({
      status: 200,
      body: { result: 'ok' },
    });

    const read = (await sys.request('GET', `/v1/payouts/${id}`)).body;
    expect(read.status).toBe('succeeded');
    expect(read.seq).toBe(seqBefore + 2);
    expect(read.history.slice(0, -2)).toEqual(paid.history);
    expect(read.history.slice(-2)).toMatchObject([
      {
        seq: seqBefore + 1,
        from: 'succeeded',
        to: 'succeeded',
        event: 'gateway_report',
        actor: 'callback',
        gateway_status: 5,
        contradiction: true,
        reason: expect.stringContaining('for a payout that is succeeded'),
      },
      {
        seq: seqBefore + 2,
        gateway_status: 4,
        contradiction: true,
        reason: expect.stringContaining('amount differ'),
      },
    ]);
    expect(await contradictions()).toBe(before + 2);
    // Listed for the console's overview, at the time of its latest contradiction.
    const listed = (await sys.system.store.contradictions(10)).newest.find((c) => c.externalId === id);
    expect(listed?.at).toBe(Date.parse(read.history.at(-1).at));
    expect(sys.logs.filter((l) => l.includes('CONTRADICTION') && l.includes(id))).toHaveLength(2);
    await until('the contradiction notified', () =>
      notified.some((n) => n.event === 'payout.contradiction' && n.payout.external_id === id),
    );
    const note = notified.find((n) => n.event === 'payout.contradiction' && n.payout.external_id === id)!;
    expect(note.payout).toMatchObject({
      status: 'succeeded',
      change: { gateway_status: expect.any(Number) },
    });

    // Not filed as unknown, not revived: Redis holds only the tombstone, and nothing is sent again.
    const unknown = (await listUnknownCallbacks(redis, sys.system.store)) as { external_id: string }[];
    expect(unknown.filter((u) => u.external_id === id)).toEqual([]);
    expect(await sys.system.store.get(id)).toBeUndefined();
    expect(await redis.exists(sys.system.store.keys.tombstone(id))).toBe(1);
    expect(sys.sandbox.received(id)?.requests).toBe(1);
  });

  test('a callback for an external_id never accepted is still kept as unknown', async () => {
    const id = `never-${Date.now()}`;
    expect(await callback({ type: 2, external_id: id, status: 4 })).toEqual({
      status: 200,
      body: { result: 'ok' },
    });
    const unknown = (await listUnknownCallbacks(redis, sys.system.store)) as { external_id: string }[];
    expect(unknown.some((u) => u.external_id === id)).toBe(true);
  });
});
