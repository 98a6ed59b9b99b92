import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { connectProducer } from '../src/producer/connect.js';
import { benchPayout, startStub } from './stub.js';

/**
 * How throughput grows with worker processes and with concurrency. Payouts are enqueued first, then
 * worker processes (`node dist/cli.js worker`) drain them; throughput is read from the payouts' own
 * histories: count / (last submitted - first claim).
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PAYLOAD_KEY = randomBytes(32).toString('base64');

async function drain(opts: { gatewayUrl: string; payouts: number; processes: number; concurrency: number }) {
  const prefix = `bench-scale-${randomBytes(4).toString('hex')}`;
  const env = {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    GATEWAY_URL: opts.gatewayUrl,
    MERCHANT_KEY: 'bench-merchant-key',
    SIGNATURE_SALT: 'bench-salt',
    API_KEYS: 'bench-api-key-0123456789',
    DASHBOARD_USER: 'ops',
    DASHBOARD_PASSWORD: 'bench-dashboard',
    PAYLOAD_KEY,
    WORKER_CONCURRENCY: String(opts.concurrency),
    GATEWAY_RATE_LIMIT_PER_SECOND: '100000',
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig(env);
  const payouts = connectProducer(config, pino({ level: 'silent' }), 'worker');
  const ids = Array.from({ length: opts.payouts }, (_, i) => `s-${i}`);
  for (let i = 0; i < ids.length; i += 100) {
    await Promise.all(ids.slice(i, i + 100).map((id) => payouts.producer.enqueuePayout(benchPayout(id))));
  }
  const workers: ChildProcess[] = Array.from({ length: opts.processes }, () =>
    spawn(process.execPath, ['dist/cli.js', 'worker'], { env: { ...process.env, ...env }, stdio: 'ignore' }),
  );
  try {
    for (;;) {
      const counts = await payouts.store.counts();
      if (counts.submitted >= ids.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const id of ids) {
      for (const h of await payouts.store.history(id)) {
        const at = Date.parse(h.at);
        if (h.to === 'sending') first = Math.min(first, at);
        if (h.to === 'submitted') last = Math.max(last, at);
      }
    }
    return ids.length / ((last - first) / 1000);
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(
      workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))),
    );
    await payouts.close();
    const r = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
      cursor = next;
      if (keys.length) await r.unlink(...keys);
    } while (cursor !== '0');
    r.disconnect();
  }
}

export interface ScalingOptions {
  /** Payouts per run. @defaultValue 4000 */
  payouts?: number;
  concurrencies?: number[];
}

export async function benchScaling(options: ScalingOptions = {}) {
  const n = options.payouts ?? 4000;
  const fast = await startStub(0);
  const slow = await startStub(20);
  try {
    const oneProcess = await drain({ gatewayUrl: fast.url, payouts: n, processes: 1, concurrency: 50 });
    const twoProcesses = await drain({ gatewayUrl: fast.url, payouts: n, processes: 2, concurrency: 50 });
    const curve: { concurrency: number; payoutsPerSecond: number }[] = [];
    for (const concurrency of options.concurrencies ?? [1, 5, 10, 25, 50, 100, 200]) {
      const size = Math.min(n, Math.max(200, concurrency * 20));
      curve.push({
        concurrency,
        payoutsPerSecond: await drain({ gatewayUrl: slow.url, payouts: size, processes: 1, concurrency }),
      });
    }
    return {
      processes: { one: oneProcess, two: twoProcesses, growth: twoProcesses / oneProcess },
      curve,
      curveGatewayLatencyMs: 20,
    };
  } finally {
    await fast.close();
    await slow.close();
  }
}
