import { mkdirSync, writeFileSync } from 'node:fs';
import { renderChart } from './chart.js';
import { benchGatewayClient } from './gateway-client.js';
import { benchLedger } from './ledger.js';
import { benchLifecycle } from './lifecycle.js';
import { benchScaling } from './scaling.js';

/**
 * `npm run bench`: every figure as ours against a baseline measured in the same run, as a table and
 * as JSON (bench/results/latest.json). `BENCH_QUICK=1` runs smaller sizes for a smoke check.
 */

const quick = process.env.BENCH_QUICK === '1';
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const gateway = await benchGatewayClient(quick ? { requests: 3000, warmup: 500, rounds: 1 } : {});
const lifecycle = await benchLifecycle(quick ? { payouts: 1000, rss: [1000, 5000] } : {});
const scaling = await benchScaling(quick ? { payouts: 1000, concurrencies: [1, 10, 50] } : {});
const ledger = await benchLedger(quick ? { payouts: 1000 } : {});

const rows: [string, string, string, string, string][] = [
  [
    'gateway client, payouts/s @50 in flight',
    fmt(gateway.ours),
    `${fmt(gateway.baseline)} (bare axios)`,
    fmt(gateway.ratio, 2),
    '>= 0.90',
  ],
  [
    'enqueue -> submitted, payouts/s @50',
    fmt(lifecycle.throughput.ours),
    `${fmt(lifecycle.throughput.baseline)} (bare BullMQ+axios)`,
    fmt(lifecycle.throughput.ratio, 2),
    '>= 0.75',
  ],
  [
    '  the same, the bare worker also fed over HTTP',
    fmt(lifecycle.throughput.ours),
    `${fmt(lifecycle.throughput.overHttp.baseline)} (bare http+BullMQ+axios)`,
    fmt(lifecycle.throughput.overHttp.ratio, 2),
    '',
  ],
  [
    '  control: the bare worker fed over HTTP vs in-process',
    fmt(lifecycle.throughput.overHttp.baseline),
    `${fmt(lifecycle.throughput.baseline)} (bare BullMQ+axios)`,
    fmt(lifecycle.throughput.overHttp.ceiling, 2),
    'the most any HTTP-fed system reaches here',
  ],
  [
    '100 ms gateway @200, payouts/s sustained (2,000/s offered)',
    fmt(lifecycle.slowGateway.ours),
    '2,000 (bound)',
    fmt(lifecycle.slowGateway.share, 2),
    '>= 0.85',
  ],
  [
    `  the same, a burst of ${fmt(lifecycle.slowGateway.burst.payouts)} from idle`,
    fmt(lifecycle.slowGateway.burst.ours),
    `${fmt(lifecycle.slowGateway.burst.bare)} (bare BullMQ+axios)`,
    fmt(lifecycle.slowGateway.burst.ours / 2000, 2),
    '',
  ],
  [
    `p50 enqueue -> submitted @${lifecycle.latency.rate}/s, ms`,
    fmt(lifecycle.latency.ours.p50),
    fmt(lifecycle.latency.baseline.p50),
    '',
    '',
  ],
  [
    `p99 enqueue -> submitted @${lifecycle.latency.rate}/s, ms`,
    fmt(lifecycle.latency.ours.p99),
    fmt(lifecycle.latency.baseline.p99),
    fmt(lifecycle.latency.p99Ratio, 2),
    '<= 1.50',
  ],
  [
    '  p50 / p99, the bare worker also fed over HTTP, ms',
    `${fmt(lifecycle.latency.ours.p50)} / ${fmt(lifecycle.latency.ours.p99)}`,
    `${fmt(lifecycle.latency.overHttp.baseline.p50)} / ${fmt(lifecycle.latency.overHttp.baseline.p99)}`,
    fmt(lifecycle.latency.overHttp.p99Ratio, 2),
    '',
  ],
  [
    'Redis bytes per queued payout, one more (first all-in)',
    fmt(lifecycle.memory.queuedBytes),
    `(${fmt(lifecycle.memory.firstBatchAverage.queuedBytes)})`,
    '',
    '<= 3,072',
  ],
  [
    'Redis bytes per finished payout, one more (first all-in)',
    fmt(lifecycle.memory.finishedBytes),
    `(${fmt(lifecycle.memory.firstBatchAverage.finishedBytes)})`,
    '',
    '<= 1,024',
  ],
  [
    'worker processes: 2 vs 1, payouts/s',
    fmt(scaling.processes.two),
    `${fmt(scaling.processes.one)} (1 process)`,
    fmt(scaling.processes.growth, 2),
    '> 1 (2 cores, shared with Redis)',
  ],
  ...scaling.curve.map((c): [string, string, string, string, string] => [
    `  1 process, concurrency ${c.concurrency}, ${scaling.curveGatewayLatencyMs} ms gateway`,
    fmt(c.payoutsPerSecond),
    '',
    '',
    '',
  ]),
  [
    `RSS after ${fmt(lifecycle.rss.large)} vs ${fmt(lifecycle.rss.small)} payouts, MB`,
    fmt(lifecycle.rss.afterLarge / 2 ** 20),
    fmt(lifecycle.rss.afterSmall / 2 ** 20),
    fmt(lifecycle.rss.growth, 2),
    'flat (~1.0)',
  ],
  ...((): [string, string, string, string, string][] =>
    ledger.skipped
      ? [['ledger: skipped', ledger.skipped, '', '', '']]
      : [
          [
            'ledger: record writes per payout with its outbox, µs',
            fmt(ledger.pathMicros.withLedger),
            `${fmt(ledger.pathMicros.without)} (no ledger)`,
            fmt(ledger.pathMicros.ratio, 2),
            '~1.0 (one RPUSH more per change)',
          ],
          [
            'ledger writer per payout (4 changes), CPU µs / wall µs',
            `${fmt(ledger.writer.cpuMicros)} / ${fmt(ledger.writer.wallMicros)}`,
            '',
            '',
            `${fmt(ledger.writer.payoutsPerSecond)} payouts/s into PostgreSQL`,
          ],
          [
            'Redis bytes per archived payout (tombstone)',
            fmt(ledger.redisBytes.archived),
            `${fmt(ledger.redisBytes.finished)} (finished, kept)`,
            fmt(ledger.redisBytes.archived / ledger.redisBytes.finished, 2),
            '<= 256',
          ],
        ])(),
];
const header: [string, string, string, string, string] = [
  'figure',
  'ours',
  'baseline (same run)',
  'ratio',
  'target',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(line(r));

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/latest.json', import.meta.url),
  `${JSON.stringify({ at: new Date().toISOString(), quick, gateway, lifecycle, scaling, ledger }, null, 2)}\n`,
);
writeFileSync(
  new URL('./results/latest.svg', import.meta.url),
  renderChart({
    curve: scaling.curve,
    curveGatewayLatencyMs: scaling.curveGatewayLatencyMs,
    latency: lifecycle.latency,
  }),
);
console.log('\nwritten: bench/results/latest.json, bench/results/latest.svg');
