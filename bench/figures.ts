import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { startLoad } from './load.js';
import { cpuMicros, machineTicks, nowMicros, sleep } from './procs.js';
import type { FakeGateway } from './stub.js';
import { type SideName, type SideOptions, startSide } from './systems.js';

/**
 * One run of one side, fresh processes each time: throughput with CPU per payout (closed-loop),
 * latency at a fixed rate (open-loop), or the rate sustained against a slow gateway. Every run checks
 * that each accepted payout reached the gateway exactly once.
 */

export interface RunCommon {
  side: SideName;
  /** os.loadavg()[0] when the run started and when it ended. */
  load: [number, number];
  /** Payouts accepted by the API and arriving at the gateway, whole run. */
  accepted: number;
  duplicates: number;
  /** Open-loop payouts the load generator did not send: 1,024 were still unanswered (fell behind). */
  skipped: number;
}

export interface ThroughputRun extends RunCommon {
  /** Payouts reaching the gateway per second over the measured window. */
  perSecond: number;
  /** Payouts the API accepted per second over the window. */
  enqueuedPerSecond: number;
  /**
   * CPU µs per payout: the API process per payout it accepted, the worker per payout it submitted,
   * and, as a control, redis-server per payout submitted.
   */
  cpuMicros: { api: number; worker: number; redis: number };
  rssBytes: { api: number; worker: number };
  /**
   * The share of all the machine's cores busy over the window (0 to 1), every process counted: the
   * load generator, the fake gateway and Redis too. Near 1, each process waits for a core.
   */
  machineBusy: number;
}

export interface LatencyRun extends RunCommon {
  rate: number;
  /** POST sent -> payout at the gateway, ms, over the measured window's payouts. */
  p50: number;
  p99: number;
  max: number;
  samples: number;
  /**
   * CPU µs per payout over the same window, as in ThroughputRun, but with both sides at one rate: a
   * fair comparison of the work per payout, free of how busy each side's maximum rate keeps it.
   */
  cpuMicros: { api: number; worker: number; redis: number };
}

export interface Timing {
  warmupSeconds: number;
  seconds: number;
}

/** The redis-server's pid (it runs on this machine), from INFO. */
async function redisProcessId(url: string): Promise<number> {
  const redis = new Redis(url);
  try {
    return Number(/process_id:(\d+)/.exec(await redis.info('server'))![1]);
  } finally {
    redis.disconnect();
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** A reading of the counters a window is measured between: CPU of each process, arrivals, accepted. */
function reader(
  side: Awaited<ReturnType<typeof startSide>>,
  gateway: FakeGateway,
  load: Awaited<ReturnType<typeof startLoad>>,
  redisPid: number,
) {
  return async () => ({
    at: performance.now(),
    cpu: { ...side.cpu(), redis: cpuMicros(redisPid) },
    machine: machineTicks(),
    gateway: (await gateway.count()).arrivals,
    accepted: (await load.count()).accepted,
  });
}

/** Starts `side`, runs `body`, stops everything, and checks nothing was lost or sent twice. */
async function withSide<T>(
  name: SideName,
  gateway: FakeGateway,
  opts: SideOptions,
  body: (
    side: Awaited<ReturnType<typeof startSide>>,
  ) => Promise<{ result: T; accepted: number; skipped: number }>,
): Promise<T & RunCommon> {
  const startLoadAvg = loadavg()[0]!;
  const before = await gateway.count();
  const side = await startSide(name, opts);
  try {
    const { result, accepted, skipped } = await body(side);
    const after = await gateway.waitDistinct(before.distinct + accepted);
    const duplicates = after.duplicates - before.duplicates;
    if (duplicates > 0) throw new Error(`${name}: ${duplicates} payouts reached the gateway twice`);
    return { ...result, side: name, load: [startLoadAvg, loadavg()[0]!], accepted, duplicates, skipped };
  } finally {
    await side.stop();
  }
}

/** How the casino sends: `inFlight` closed-loop clients, or `rate` payouts/s whatever is in flight. */
export type Offered = { mode: 'closed'; inFlight: number } | { mode: 'open'; rate: number };

/**
 * Payouts offered as `offered` says (64 closed-loop clients: as fast as the side takes them); after
 * the warm-up, a window of `seconds` is measured.
 */
export async function throughputRun(
  name: SideName,
  gateway: FakeGateway,
  opts: SideOptions,
  timing: Timing,
  offered: Offered = { mode: 'closed', inFlight: 64 },
): Promise<ThroughputRun> {
  return withSide(name, gateway, opts, async (side) => {
    const load = await startLoad({ url: side.url, tag: `t-${nowMicros()}`, ...offered });
    const redisPid = await redisProcessId(opts.redisUrl);
    try {
      await sleep(timing.warmupSeconds * 1000);
      const read = reader(side, gateway, load, redisPid);
      const a = await read();
      await sleep(timing.seconds * 1000);
      const b = await read();
      const rssBytes = side.rss();
      const { accepted, skipped = 0 } = await load.stop();
      const seconds = (b.at - a.at) / 1000;
      const submitted = b.gateway - a.gateway;
      const enqueued = b.accepted - a.accepted;
      return {
        accepted,
        skipped,
        result: {
          perSecond: submitted / seconds,
          enqueuedPerSecond: enqueued / seconds,
          cpuMicros: {
            api: (b.cpu.api - a.cpu.api) / enqueued,
            worker: (b.cpu.worker - a.cpu.worker) / submitted,
            redis: (b.cpu.redis - a.cpu.redis) / submitted,
          },
          rssBytes,
          machineBusy: (b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total),
        },
      };
    } finally {
      await load.close();
    }
  });
}

/** Payouts sent at `rate` per second (open-loop); those sent after the warm-up are measured. */
export async function latencyRun(
  name: SideName,
  gateway: FakeGateway,
  opts: SideOptions,
  rate: number,
  timing: Timing,
): Promise<LatencyRun> {
  return withSide(name, gateway, opts, async (side) => {
    const base = (await gateway.count()).distinct;
    await gateway.record();
    const load = await startLoad({
      url: side.url,
      tag: `l-${nowMicros()}`,
      mode: 'open',
      rate,
      record: true,
    });
    const redisPid = await redisProcessId(opts.redisUrl);
    try {
      const from = nowMicros() + timing.warmupSeconds * 1e6;
      await sleep(timing.warmupSeconds * 1000);
      const read = reader(side, gateway, load, redisPid);
      const a = await read();
      await sleep(timing.seconds * 1000);
      const b = await read();
      const { accepted, skipped = 0 } = await load.stop();
      const sent = await load.times();
      // Every payout accepted must arrive before the arrival times are read.
      await gateway.waitDistinct(base + accepted);
      const arrived = await gateway.times();
      const ms: number[] = [];
      for (const [id, at] of sent) {
        if (at < from) continue;
        const t = arrived.get(id);
        if (t === undefined) throw new Error(`${name}: ${id} never reached the gateway`);
        ms.push((t - at) / 1000);
      }
      ms.sort((x, y) => x - y);
      return {
        accepted,
        skipped,
        result: {
          rate,
          p50: percentile(ms, 50),
          p99: percentile(ms, 99),
          max: ms.at(-1) ?? 0,
          samples: ms.length,
          cpuMicros: {
            api: (b.cpu.api - a.cpu.api) / (b.accepted - a.accepted),
            worker: (b.cpu.worker - a.cpu.worker) / (b.gateway - a.gateway),
            redis: (b.cpu.redis - a.cpu.redis) / (b.gateway - a.gateway),
          },
        },
      };
    } finally {
      await load.close();
    }
  });
}
