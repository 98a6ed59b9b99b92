import { cpus } from 'node:os';
import type { DurabilityLevel } from './durability.js';
import type { LatencyRun, ThroughputRun } from './figures.js';
import type { GatewayClientBenchResult } from './gateway-client.js';
import type { LedgerBench } from './ledger.js';
import type { MemoryFigures } from './memory.js';
import type { Compared, Paired, Spread } from './series.js';

/** The bench's results (bench/results/*.json) and the table `npm run bench` prints of them. */

export interface BenchResults {
  at: string;
  quick: boolean;
  dist: string;
  timing: { warmupSeconds: number; seconds: number };
  loadavg?: { start: number[]; end: number[] };
  throughput?: {
    perSecond: Compared;
    enqueuedPerSecond: Compared;
    cpuApi: Compared;
    cpuWorker: Compared;
    rssMB: Compared;
    runs: Paired<ThroughputRun>;
  };
  latency?: { rate: number; p50: Compared; p99: Compared; runs: Paired<LatencyRun> };
  slowGateway?: {
    bound: number;
    offered: number;
    share: { ours: Spread; bare: Spread };
    perSecond: Compared;
    enqueuedPerSecond: Compared;
    runs: Paired<ThroughputRun>;
  };
  memory?: { ours: MemoryFigures; bare: MemoryFigures };
  durability?: DurabilityLevel[];
  gatewayClient?: GatewayClientBenchResult;
  ledger?: LedgerBench;
  scaling?: {
    processes: { one: number; two: number; growth: number };
    curve: { concurrency: number; payoutsPerSecond: number }[];
    curveGatewayLatencyMs: number;
  };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** min–median–max, or one number when there was one run. */
const range = (s: Spread, digits = 0) =>
  s.min === s.max
    ? fmt(s.median, digits)
    : `${fmt(s.min, digits)}–${fmt(s.median, digits)}–${fmt(s.max, digits)}`;
const ratioOf = (c: Compared) =>
  c.pairRatios.min === c.pairRatios.max
    ? fmt(c.ratio, 2)
    : `${fmt(c.ratio, 2)} (pairs ${fmt(c.pairRatios.min, 2)}–${fmt(c.pairRatios.max, 2)})`;
const verdict = (value: number, target: number, atLeast: boolean) =>
  (atLeast ? value >= target : value <= target) ? 'met' : 'MISSED';

type Row = [string, string, string, string, string, string];

function targetRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  const { throughput: t, latency: l, slowGateway: s, memory: m } = r;
  if (t) {
    rows.push([
      'HTTP enqueue -> submitted, payouts/s',
      range(t.perSecond.ours),
      range(t.perSecond.bare),
      ratioOf(t.perSecond),
      '>= 0.80',
      verdict(t.perSecond.ratio, 0.8, true),
    ]);
    rows.push([
      'CPU per payout, API process, µs',
      range(t.cpuApi.ours),
      range(t.cpuApi.bare),
      ratioOf(t.cpuApi),
      '<= 1.5',
      verdict(t.cpuApi.ratio, 1.5, false),
    ]);
    rows.push([
      'CPU per payout, worker process, µs',
      range(t.cpuWorker.ours),
      range(t.cpuWorker.bare),
      ratioOf(t.cpuWorker),
      '<= 1.3',
      verdict(t.cpuWorker.ratio, 1.3, false),
    ]);
  }
  if (l) {
    rows.push([
      `p99 enqueue -> submitted @${fmt(l.rate)}/s, ms`,
      range(l.p99.ours, 1),
      range(l.p99.bare, 1),
      ratioOf(l.p99),
      '<= 2.0',
      verdict(l.p99.ratio, 2, false),
    ]);
  }
  if (s) {
    rows.push([
      `${fmt(s.bound)}/s bound (100 ms gateway, concurrency 50), share sustained`,
      range(s.share.ours, 2),
      range(s.share.bare, 2),
      '',
      '>= 0.95',
      verdict(s.share.ours.median, 0.95, true),
    ]);
  }
  if (m) {
    const n = `(${fmt(m.ours.payouts)} payouts)`;
    rows.push([
      `Redis bytes per queued payout ${n}`,
      fmt(m.ours.queued),
      fmt(m.bare.queued),
      fmt(m.ours.queued / m.bare.queued, 2),
      '<= 1,536',
      verdict(m.ours.queued, 1536, false),
    ]);
    rows.push([
      'Redis bytes per submitted payout (awaiting callback)',
      fmt(m.ours.submitted),
      `${fmt(m.bare.submitted)} (nothing kept)`,
      '',
      '<= 1,280',
      verdict(m.ours.submitted, 1280, false),
    ]);
    rows.push([
      'Redis bytes per terminal payout',
      fmt(m.ours.terminal ?? 0),
      '',
      '',
      '<= 1,024',
      verdict(m.ours.terminal ?? 0, 1024, false),
    ]);
  }
  return rows;
}

function contextRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  const { throughput: t, latency: l, slowGateway: s } = r;
  if (t) {
    rows.push([
      '  accepted by the API, payouts/s',
      range(t.enqueuedPerSecond.ours),
      range(t.enqueuedPerSecond.bare),
      ratioOf(t.enqueuedPerSecond),
      '',
      '',
    ]);
    rows.push([
      '  RSS of API + worker after a run, MB',
      range(t.rssMB.ours),
      range(t.rssMB.bare),
      '',
      '',
      '',
    ]);
  }
  if (l)
    rows.push([
      '  p50 at the same rate, ms',
      range(l.p50.ours, 1),
      range(l.p50.bare, 1),
      ratioOf(l.p50),
      '',
      '',
    ]);
  if (s)
    rows.push([
      `  the same: payouts/s (${fmt(s.offered)}/s offered; accepted ${range(s.enqueuedPerSecond.ours)})`,
      range(s.perSecond.ours),
      range(s.perSecond.bare),
      ratioOf(s.perSecond),
      '',
      '',
    ]);
  for (const d of r.durability ?? []) {
    rows.push([
      `REDIS_DURABILITY=${d.level}, payouts/s (CPU µs api/worker)`,
      `${range(d.perSecond)} (${fmt(d.cpuMicros.api.median)}/${fmt(d.cpuMicros.worker.median)})`,
      d.level === 'acknowledged' ? '' : 'acknowledged',
      fmt(d.ratio, 2),
      'reported',
      '',
    ]);
  }
  if (r.gatewayClient) {
    const g = r.gatewayClient;
    rows.push([
      'gateway client, payouts/s @50 in flight',
      fmt(g.ours),
      `${fmt(g.baseline)} (bare axios)`,
      fmt(g.ratio, 2),
      '>= 0.90',
      verdict(g.ratio, 0.9, true),
    ]);
  }
  const lg = r.ledger;
  if (lg?.skipped) rows.push(['ledger: skipped', lg.skipped, '', '', '', '']);
  else if (lg) {
    rows.push([
      'ledger writer per payout (4 changes), CPU µs / wall µs',
      `${fmt(lg.writer.cpuMicros)} / ${fmt(lg.writer.wallMicros)}`,
      '',
      '',
      `${fmt(lg.writer.payoutsPerSecond)}/s into PostgreSQL`,
      '',
    ]);
    rows.push([
      'Redis bytes per archived payout (tombstone)',
      fmt(lg.redisBytes.archived),
      `${fmt(lg.redisBytes.finished)} (finished, kept)`,
      fmt(lg.redisBytes.archived / lg.redisBytes.finished, 2),
      '<= 256',
      verdict(lg.redisBytes.archived, 256, false),
    ]);
  }
  if (r.scaling) {
    const p = r.scaling.processes;
    rows.push([
      'worker processes: 2 vs 1, payouts/s',
      fmt(p.two),
      `${fmt(p.one)} (1 process)`,
      fmt(p.growth, 2),
      '',
      '',
    ]);
    for (const c of r.scaling.curve) {
      rows.push([
        `  1 process, concurrency ${c.concurrency}, ${r.scaling.curveGatewayLatencyMs} ms gateway`,
        fmt(c.payoutsPerSecond),
        '',
        '',
        '',
        '',
      ]);
    }
  }
  return rows;
}

/** The load average (1 min) at the start and end of each run, over all runs. */
function loadLine(r: BenchResults): string {
  const loads = [
    ...Object.values(r.throughput?.runs ?? {}).flat(),
    ...Object.values(r.latency?.runs ?? {}).flat(),
    ...Object.values(r.slowGateway?.runs ?? {}).flat(),
  ].flatMap((x) => x.load);
  if (loads.length === 0) return '';
  return `load average (1 min) during the runs: ${range({ min: Math.min(...loads), median: [...loads].sort((a, b) => a - b)[Math.floor(loads.length / 2)]!, max: Math.max(...loads) }, 1)} on ${cpus().length} cores`;
}

export function printReport(r: BenchResults): void {
  const header: Row = ['figure', 'ours (min–median–max)', 'bare pipeline (same run)', 'ratio', 'target', ''];
  const rows = [...targetRows(r), ...contextRows(r)];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(row));
  console.log(`\n${loadLine(r)}`);
}
