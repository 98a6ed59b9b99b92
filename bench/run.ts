import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../test/helpers/private-redis.js';
import { renderChart } from './chart.js';
import { benchDurability } from './durability.js';
import { latencyRun, type ThroughputRun, throughputRun } from './figures.js';
import { benchGatewayClient } from './gateway-client.js';
import { benchLedger } from './ledger.js';
import { memoryFigures } from './memory.js';
import { type BenchResults, printReport } from './report.js';
import { benchScaling, CURVE_GATEWAY_MS } from './scaling.js';
import { alternate, compare, median, spread } from './series.js';
import { startStub } from './stub.js';
import { defaultDist } from './systems.js';

/**
 * `npm run bench`: the system (`node dist/cli.js api` and `worker`, fresh processes each run) against
 * a bare BullMQ pipeline, a fake gateway and the load generator in processes of their own, on a
 * private redis-server. Prints every target with its spread, writes bench/results/latest.json and
 * latest.svg. Settings:
 * - BENCH_ONLY=throughput,latency,slow,memory,durability,gateway,ledger,scaling: those figures only;
 * - BENCH_QUICK=1: one pair of short runs per figure, smaller sizes;
 * - BENCH_CPU_PROF=<dir>: our processes run with --cpu-prof, their profiles written there;
 * - BENCH_DIST=<dir>: the built system to measure (default: this checkout's dist/);
 * - BENCH_RATE=<n>: the latency figure's rate, when the throughput figure is not run.
 */

const quick = process.env.BENCH_QUICK === '1';
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const wanted = (figure: string) => !only || only.includes(figure);
const [series, pairs] = quick ? [1, 1] : [2, 3];
const timing = quick ? { warmupSeconds: 2, seconds: 3 } : { warmupSeconds: 3, seconds: 6 };
const SLOW_MS = 100;
const SLOW_CONCURRENCY = 50;
const bound = (SLOW_CONCURRENCY * 1000) / SLOW_MS;

const startedLoad = loadavg();
const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
// The bench's own Redis, configured as the shared one here (no AOF, no snapshots): no other work's
// keys in its used_memory, and a flush between runs keeps every run on an empty Redis.
const redisServer = await startPrivateRedis({ args: ['--appendonly', 'no', '--save', ''] });
const redis = new Redis(redisServer.url);
const flush = async () => void (await redis.flushall());
const dist = defaultDist();
const fast = await startStub(0, 3);
const slow = await startStub(SLOW_MS, 3);
const base = { dist, redisUrl: redisServer.url, gatewayUrl: fast.url };
const results: BenchResults = { at: new Date().toISOString(), quick, dist, timing };

const describe = (r: ThroughputRun) =>
  `${r.side}: ${Math.round(r.perSecond)}/s (enqueued ${Math.round(r.enqueuedPerSecond)}/s), CPU µs/payout api ${Math.round(r.cpuMicros.api)} worker ${Math.round(r.cpuMicros.worker)}, machine ${Math.round(r.machineBusy * 100)}% busy, load ${r.load[0].toFixed(1)}`;

try {
  let oursMax = Number(process.env.BENCH_RATE ?? 0) * 2;
  if (wanted('throughput')) {
    const runs = await alternate(
      series,
      pairs,
      async (side, label) => {
        const r = await throughputRun(side, fast, base, timing);
        log(`throughput ${label} ${describe(r)}`);
        return r;
      },
      flush,
    );
    oursMax = median(runs.ours.map((r) => r.perSecond));
    results.throughput = {
      perSecond: compare(runs, (r) => r.perSecond),
      enqueuedPerSecond: compare(runs, (r) => r.enqueuedPerSecond),
      cpuApi: compare(runs, (r) => r.cpuMicros.api),
      cpuWorker: compare(runs, (r) => r.cpuMicros.worker),
      cpuRedis: compare(runs, (r) => r.cpuMicros.redis),
      cpuAll: compare(runs, (r) => r.cpuMicros.api + r.cpuMicros.worker + r.cpuMicros.redis),
      rssMB: compare(runs, (r) => (r.rssBytes.api + r.rssBytes.worker) / 2 ** 20),
      machineBusy: compare(runs, (r) => r.machineBusy),
      runs,
    };
  }
  if (wanted('latency')) {
    if (!oursMax) {
      const r = await throughputRun('ours', fast, base, timing);
      await flush();
      oursMax = r.perSecond;
    }
    const rate = Math.round(oursMax / 2);
    const runs = await alternate(
      series,
      pairs,
      async (side, label) => {
        const r = await latencyRun(side, fast, base, rate, timing);
        log(`latency @${rate}/s ${label} ${side}: p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} ms`);
        return r;
      },
      flush,
    );
    results.latency = {
      rate,
      p50: compare(runs, (r) => r.p50),
      p99: compare(runs, (r) => r.p99),
      cpuApi: compare(runs, (r) => r.cpuMicros.api),
      cpuWorker: compare(runs, (r) => r.cpuMicros.worker),
      cpuAll: compare(runs, (r) => r.cpuMicros.api + r.cpuMicros.worker + r.cpuMicros.redis),
      runs,
    };
  }
  if (wanted('slow')) {
    const opts = { ...base, gatewayUrl: slow.url, env: { WORKER_CONCURRENCY: String(SLOW_CONCURRENCY) } };
    const offered = { mode: 'open' as const, rate: Math.round(bound * 1.2) };
    const runs = await alternate(
      series,
      quick ? 1 : 2,
      async (side, label) => {
        const r = await throughputRun(side, slow, opts, timing, offered);
        log(`${SLOW_MS} ms gateway ${label} ${describe(r)}`);
        return r;
      },
      flush,
    );
    results.slowGateway = {
      bound,
      offered: offered.rate,
      share: {
        ours: spread(runs.ours.map((r) => r.perSecond / bound)),
        bare: spread(runs.bare.map((r) => r.perSecond / bound)),
      },
      perSecond: compare(runs, (r) => r.perSecond),
      enqueuedPerSecond: compare(runs, (r) => r.enqueuedPerSecond),
      machineBusy: compare(runs, (r) => r.machineBusy),
      runs,
    };
  }
  if (wanted('memory')) {
    const n = quick ? 1000 : 4000;
    const ours = await memoryFigures('ours', fast, base, n);
    log(`memory ours: ${JSON.stringify(ours)}`);
    const bare = await memoryFigures('bare', fast, base, n);
    log(`memory bare: ${JSON.stringify(bare)}`);
    results.memory = { ours, bare };
  }
  if (wanted('durability')) {
    results.durability = await benchDurability(fast, { dist, gatewayUrl: fast.url }, timing, quick ? 1 : 3);
    log('durability done');
  }
  if (wanted('gateway')) {
    // In-process, the client against a bare axios loop, interleaved rounds (a library figure).
    const sizes = quick
      ? { requests: 3000, warmup: 500, rounds: 1 }
      : { requests: 8000, warmup: 1500, rounds: 3 };
    results.gatewayClient = await benchGatewayClient(sizes);
    log('gateway client done');
  }
  if (wanted('ledger')) {
    results.ledger = await benchLedger(quick ? { payouts: 1000 } : {});
    log('ledger done');
  }
  if (wanted('scaling')) {
    const slowCurve = await startStub(CURVE_GATEWAY_MS, 3);
    try {
      results.scaling = await benchScaling(
        fast,
        slowCurve,
        { dist, redisUrl: redisServer.url },
        quick ? { payouts: 1000, concurrencies: [1, 10, 50] } : { payouts: 2500 },
      );
    } finally {
      await slowCurve.close();
    }
    log('scaling done');
  }
} finally {
  await fast.close();
  await slow.close();
  redis.disconnect();
  await redisServer.stop();
}
results.loadavg = { start: startedLoad, end: loadavg() };

printReport(results);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(new URL('./results/latest.svg', import.meta.url), renderChart(results));
console.log('\nwritten: bench/results/latest.json, bench/results/latest.svg');
