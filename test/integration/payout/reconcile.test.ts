import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createGatewayClient } from '../../../src/gateway/client.js';
import { validatePayoutRequest } from '../../../src/methods/index.js';
import { applyGatewayReport } from '../../../src/payout/gateway-report.js';
import type { PayoutStore } from '../../../src/payout/store.js';
import { createSandbox } from '../../../src/sandbox/index.js';
import { reconcile } from '../../../src/worker/maintenance.js';
import { captureLogger } from '../../helpers/capture-log.js';
import { deletePrefix, testRedis, testStore, uniquePrefix } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';

let redis: Redis;
let store: PayoutStore;
const prefix = uniquePrefix('reconcile');
const log = captureLogger();

beforeAll(() => {
  redis = testRedis();
  store = testStore(redis, prefix, log.logger);
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

/** A payout in needs_review: with an order (gateway status 7) or without (lost mid-send). */
async function inReview(withOrder: boolean): Promise<string> {
  const v = validatePayoutRequest(cardPayout());
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  await store.create({ method: v.method, request: v.request, masked: {} });
  const id = v.request.external_id;
  const claim = await store.claim(id, Date.now());
  if (!claim.ok) throw new Error('claim refused');
  if (withOrder) {
    await applyGatewayReport({ store, logger: log.logger }, id, { status: 7, orderId: `o-${id}` }, 'worker');
  } else {
    await store.transition(id, 'review', {
      actor: 'worker',
      token: claim.token,
      reason: 'worker_lost_mid_send',
    });
  }
  await new Promise((r) => setTimeout(r, 3)); // each enters the index at a later time
  return id;
}

/** A gateway whose status endpoint, over real HTTP, answers each order_id with `answer(order_id)`. */
async function statusGateway(answer: (orderId: string) => Record<string, unknown>) {
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      const { order_id } = JSON.parse(data) as { order_id: string };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(order_id)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const gateway = createGatewayClient({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    merchantKey: 'test-merchant-key',
    salt: 'test-salt',
    timeoutMs: 2_000,
    connectTimeoutMs: 500,
  });
  return { gateway, server };
}

test('needs_review payouts without an order do not hide the pollable ones behind them', async () => {
  const waiting = [await inReview(false), await inReview(false), await inReview(false)];
  const pollable = [await inReview(true), await inReview(true)];
  // The gateway's status endpoint over real HTTP: every order it is asked about has succeeded.
  const asked: string[] = [];
  const { gateway, server } = await statusGateway((order_id) => {
    asked.push(order_id);
    return { status: 4, type: 2, order_id };
  });
  try {
    const res = await reconcile(
      { store, gateway, logger: log.logger },
      { afterMs: 60_000, reviewDeadlineMs: 3_600_000, pollsPerRun: 2 },
    );
    expect(res).toMatchObject({ polled: 2, applied: 2 });
    expect(asked.sort()).toEqual(pollable.map((id) => `o-${id}`).sort());
    for (const id of pollable) expect((await store.get(id))?.status).toBe('succeeded');
    for (const id of waiting) expect((await store.get(id))?.status).toBe('needs_review');
  } finally {
    gateway.close();
    await new Promise((r) => server.close(r));
  }
});

test('a poll for an order the gateway does not know says so in words, and the payout stays for an operator', async () => {
  const id = await inReview(true);
  const sandbox = createSandbox({ merchantKey: 'test-merchant-key', salt: 'test-salt' });
  const gateway = createGatewayClient({
    baseUrl: await sandbox.listen(0),
    merchantKey: 'test-merchant-key',
    salt: 'test-salt',
    timeoutMs: 2_000,
    connectTimeoutMs: 500,
  });
  try {
    const res = await reconcile(
      { store, gateway, logger: log.logger },
      { afterMs: 60_000, reviewDeadlineMs: 3_600_000 },
    );
    expect(res).toMatchObject({ applied: 0 });
    expect((await store.get(id))?.status).toBe('needs_review');
    const line = log.lines
      .map((l) => JSON.parse(l))
      .find((l) => l.external_id === id && l.code === 'order_not_found');
    expect(line).toMatchObject({
      level: 40,
      order_id: `o-${id}`,
      msg: 'status poll: the gateway does not know this order; will poll again',
    });
  } finally {
    gateway.close();
    await sandbox.close();
  }
});

test('a status answer of another transaction (type, amount, currency) is raised once, never applied', async () => {
  const ids = [await inReview(true), await inReview(true), await inReview(true)];
  const { amount, currency } = cardPayout();
  const others: Record<string, Record<string, unknown>> = {
    [`o-${ids[0]}`]: { type: 1 },
    [`o-${ids[1]}`]: { type: 2, amount: amount + 1, currency },
    [`o-${ids[2]}`]: { type: 2, amount: String(amount), currency: 'EUR' },
  };
  const { gateway, server } = await statusGateway((order_id) => ({
    status: 4,
    order_id,
    ...(others[order_id] ?? { type: 2 }),
  }));
  const contradicted: string[] = [];
  const deps = { store, gateway, logger: log.logger, onContradiction: (id: string) => contradicted.push(id) };
  try {
    for (let run = 0; run < 2; run++) await reconcile(deps, { afterMs: 60_000, reviewDeadlineMs: 3_600_000 });
    const reasons = [];
    for (const id of ids) {
      expect((await store.get(id))?.status).toBe('needs_review');
      const raised = (await store.history(id)).filter((h) => h.contradiction);
      expect(raised).toHaveLength(1);
      reasons.push(raised[0]!.reason);
    }
    expect(reasons).toEqual([
      expect.stringContaining(
        'of type 1 (deposit) for another transaction under this external_id: type differ',
      ),
      expect.stringContaining('for another payout under this external_id: amount differ'),
      expect.stringContaining('for another payout under this external_id: currency differ'),
    ]);
    expect(contradicted.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
  } finally {
    gateway.close();
    await new Promise((r) => server.close(r));
  }
});
