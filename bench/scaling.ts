import { Redis } from 'ioredis';
import { sendAll } from './load.js';
import type { FakeGateway } from './stub.js';
import { type SideOptions, startOurs } from './systems.js';

/**
 * How throughput grows with worker processes and with concurrency. Payouts are enqueued first through
 * the API alone, then worker processes drain them; throughput is read at the fake gateway: payouts /
 * (last arrival - first arrival), so the workers' start is not counted.
 */

async function drain(
  gateway: FakeGateway,
  opts: SideOptions,
  payouts: number,
  processes: number,
  concurrency: number,
): Promise<number> {
  const redis = new Redis(opts.redisUrl);
  const side = await startOurs({
    ...opts,
    env: { ...opts.env, WORKER_CONCURRENCY: String(concurrency) },
    workers: 0,
  });
  try {
    await sendAll(side.url, `s-${Date.now()}`, payouts);
    const base = (await gateway.count()).distinct;
    await gateway.record();
    await Promise.all(Array.from({ length: processes }, () => side.addWorker()));
    await gateway.waitDistinct(base + payouts);
    const at = [...(await gateway.times()).values()];
    return payouts / ((Math.max(...at) - Math.min(...at)) / 1e6);
  } finally {
    await side.stop();
    await redis.flushall();
    redis.disconnect();
  }
}

export interface ScalingOptions {
  /** Payouts per run. @defaultValue 4000 */
  payouts?: number;
  concurrencies?: number[];
}

export const CURVE_GATEWAY_MS = 20;

/** `fast` answers at once, `slow` after CURVE_GATEWAY_MS. */
export async function benchScaling(
  fast: FakeGateway,
  slow: FakeGateway,
  opts: Omit<SideOptions, 'gatewayUrl'>,
  options: ScalingOptions = {},
) {
  const n = options.payouts ?? 4000;
  const onFast = { ...opts, gatewayUrl: fast.url };
  const one = await drain(fast, onFast, n, 1, 50);
  const two = await drain(fast, onFast, n, 2, 50);
  const curve: { concurrency: number; payoutsPerSecond: number }[] = [];
  for (const concurrency of options.concurrencies ?? [1, 5, 10, 25, 50, 100, 200]) {
    const size = Math.min(n, Math.max(200, concurrency * 20));
    curve.push({
      concurrency,
      payoutsPerSecond: await drain(slow, { ...opts, gatewayUrl: slow.url }, size, 1, concurrency),
    });
  }
  return {
    processes: { one, two, growth: two / one },
    curve,
    curveGatewayLatencyMs: CURVE_GATEWAY_MS,
  };
}
