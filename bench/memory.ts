import { Redis } from 'ioredis';
import { withSignature } from '../src/gateway/signature.js';
import { sendAll } from './load.js';
import { sleep } from './procs.js';
import type { FakeGateway } from './stub.js';
import { BENCH_SALT, type SideName, type SideOptions, startSide } from './systems.js';

/**
 * Redis bytes per payout as an operator's Redis sees them: `used_memory` after minus before, divided
 * by the payouts, with everything each side keeps (BullMQ's kept jobs and events included), on a Redis
 * flushed before. Ours: `n` payouts queued (the API alone), then submitted (a worker; the gateway
 * answers status 3, so each waits for its callback), then terminal (a SUCCESS callback for each).
 * The bare pipeline keeps nothing once a job is done: its queued figure is the comparison.
 */

export interface MemoryFigures {
  payouts: number;
  queued: number;
  submitted: number;
  terminal?: number;
  /**
   * Where the bytes are, at each stage: MEMORY USAGE of every key, summed by kind (the payout's id and
   * the run's prefix replaced by <id> and <prefix>), per payout; and OUTSIDE_KEYS, what used_memory
   * grew by beyond every key's MEMORY USAGE (the keyspace's bucket array, clients' buffers, and
   * Redis's one-time allocations below).
   */
  byKey: Record<string, Record<string, number>>;
  /**
   * Per payout, what stays in used_memory once every key is flushed at the end: allocations Redis
   * makes once, not per payout (a latency histogram of ~24 KB for each command the first time it
   * runs, with latency-tracking on as by default; each script cached). The warm-up (memoryFigures)
   * makes them before the measured run, so this should be near 0; what is left is in the figures.
   */
  oneTime?: number;
}

/** The byKey entry of what is in no key. */
export const OUTSIDE_KEYS = '(outside every key)';

const usedMemory = async (redis: Redis) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);

const kindOf = (key: string) =>
  key
    .replace(/m-\d+-\d+/, '<id>')
    .replace(/bench-(bare-)?[0-9a-f]{8}/, '<prefix>')
    .replace(/:\d+$/, ':<n>');

/** MEMORY USAGE of every key, summed by kind. */
async function bytesByKind(redis: Redis): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const k of keys) pipeline.memory('USAGE', k, 'SAMPLES', '0');
    const sizes = (await pipeline.exec()) ?? [];
    keys.forEach((k, i) => {
      const kind = kindOf(k);
      sums.set(kind, (sums.get(kind) ?? 0) + Number(sizes[i]?.[1] ?? 0));
    });
  } while (cursor !== '0');
  return sums;
}

const total = (sums: Map<string, number>) => [...sums.values()].reduce((t, v) => t + v, 0);

/** Per payout, the biggest first. */
const perPayout = (sums: Map<string, number>, n: number): Record<string, number> =>
  Object.fromEntries([...sums.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v / n)]));

/** Payout records in `state`, from the API's /metrics (payouts_records{state=…}). */
async function recordsIn(apiUrl: string, state: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  return Number(new RegExp(`records\\{state="${state}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

async function waitRecords(apiUrl: string, state: string, n: number) {
  const until = Date.now() + 120_000;
  while ((await recordsIn(apiUrl, state)) < n) {
    if (Date.now() > until) throw new Error(`fewer than ${n} payouts reached ${state}`);
    await sleep(200);
  }
}

/** The gateway's SUCCESS callback for each payout, signed as the gateway signs, 16 at a time. */
async function succeedAll(apiUrl: string, ids: string[]) {
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const body = withSignature({ status: 4, type: 2, external_id: id }, BENCH_SALT);
      const res = await fetch(`${apiUrl}/v1/callbacks/gateway`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 200)
        throw new Error(`callback for ${id} answered ${res.status}: ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
}

/** Payouts sent through every stage first, on the same Redis, then flushed: see memoryFigures. */
export const WARM_UP_PAYOUTS = 200;

type Side = Awaited<ReturnType<typeof startSide>>;

/**
 * `n` payouts through the stages, calling `at(stage)` once each stage is reached: queued (the API
 * alone), submitted (a worker added), terminal (a SUCCESS callback for each; ours only).
 */
async function driveStages(
  name: SideName,
  side: Side,
  gateway: FakeGateway,
  n: number,
  tag: string,
  at: (stage: 'queued' | 'submitted' | 'terminal') => Promise<void>,
): Promise<void> {
  const base = (await gateway.count()).distinct;
  const sent = await sendAll(side.url, tag, n);
  if (sent.accepted !== n) throw new Error(`${name}: ${sent.accepted} of ${n} payouts accepted`);
  await at('queued');
  await side.addWorker();
  await gateway.waitDistinct(base + n);
  if (name === 'bare') return at('submitted');
  await waitRecords(side.url, 'submitted', n);
  await at('submitted');
  await succeedAll(
    side.url,
    Array.from({ length: n }, (_, i) => `${tag}-${i}`),
  );
  await waitRecords(side.url, 'succeeded', n);
  await at('terminal');
}

/**
 * Redis bytes per payout at each stage. First WARM_UP_PAYOUTS go through every stage on the same
 * redis-server, which is then flushed: Redis allocates some memory once, the first time each command
 * runs (a latency histogram of ~24 KB per command with latency-tracking on, as by default; each
 * script cached), which a Redis that has been running pays long before; without the warm-up, a run of
 * a few thousand payouts would count it as theirs. What stays allocated after the measured run and a
 * final flush is still reported (`oneTime`), and should be near 0.
 */
export async function memoryFigures(
  name: SideName,
  gateway: FakeGateway,
  opts: SideOptions,
  n: number,
): Promise<MemoryFigures> {
  const redis = new Redis(opts.redisUrl);
  try {
    await redis.flushall();
    const warm = await startSide(name, { ...opts, workers: 0 });
    try {
      await driveStages(name, warm, gateway, WARM_UP_PAYOUTS, `w-${Date.now()}`, async () => {});
    } finally {
      await warm.stop();
    }
    await redis.flushall();
    return await measured(name, redis, gateway, opts, n);
  } finally {
    await redis.flushall();
    redis.disconnect();
  }
}

/** The measured run, on the warmed-up and flushed Redis, with fresh processes. */
async function measured(
  name: SideName,
  redis: Redis,
  gateway: FakeGateway,
  opts: SideOptions,
  n: number,
): Promise<MemoryFigures> {
  const side = await startSide(name, { ...opts, workers: 0 });
  let stopped = false;
  try {
    // Settled: the API's own keys (schedules, controls) are written at start, not per payout. The
    // keys are read once before, so the histograms of the bench's own SCAN and MEMORY USAGE are not
    // counted as the payouts'.
    await sleep(1500);
    const keysBefore = total(await bytesByKind(redis));
    const before = await usedMemory(redis);
    const byKey: Record<string, Record<string, number>> = {};
    const figures: Partial<Record<'queued' | 'submitted' | 'terminal', number>> = {};
    await driveStages(name, side, gateway, n, `m-${Date.now()}`, async (stage) => {
      await sleep(1500);
      const used = (await usedMemory(redis)) - before;
      const sums = await bytesByKind(redis);
      sums.set(OUTSIDE_KEYS, used - (total(sums) - keysBefore));
      byKey[stage] = perPayout(sums, n);
      figures[stage] = used / n;
    });
    // Stops the side and flushes: what used_memory still holds beyond `before`'s own is one-time.
    await side.stop();
    stopped = true;
    await redis.flushall();
    await sleep(1500);
    const oneTime = ((await usedMemory(redis)) - (before - keysBefore)) / n;
    return {
      payouts: n,
      queued: figures.queued!,
      submitted: figures.submitted!,
      ...(figures.terminal !== undefined ? { terminal: figures.terminal } : {}),
      byKey,
      oneTime,
    };
  } finally {
    if (!stopped) await side.stop();
  }
}
