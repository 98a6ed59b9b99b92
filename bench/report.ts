import { cpus } from 'node:os';
import type { DurabilityLevel } from './durability.js';
import type { LatencyRun, ThroughputRun } from './figures.js';
import type { GatewayClientBenchResult } from './gateway-client.js';
import type { LedgerBench } from './ledger.js';
import { type MemoryFigures, WARM_UP_PAYOUTS } from './memory.js';
import { contextRows, fmt, type Row, range, targetRows } from './rows.js';
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
    cpuRedis?: Compared;
    cpuAll?: Compared;
    rssMB: Compared;
    /** The share of all cores busy over each run's window (absent in older results). */
    machineBusy?: Compared;
    runs: Paired<ThroughputRun>;
  };
  latency?: {
    rate: number;
    p50: Compared;
    p99: Compared;
    /** CPU per payout with both sides at the latency figure's one rate (absent in older results). */
    cpuApi?: Compared;
    cpuWorker?: Compared;
    cpuAll?: Compared;
    runs: Paired<LatencyRun>;
  };
  slowGateway?: {
    bound: number;
    offered: number;
    share: { ours: Spread; bare: Spread };
    perSecond: Compared;
    enqueuedPerSecond: Compared;
    /** The share of all cores busy over each run's window (absent in older results). */
    machineBusy?: Compared;
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

/** The kinds of keys holding most of ours' bytes per payout, at each stage. */
function memoryLines(r: BenchResults): string[] {
  if (!r.memory?.ours.byKey) return [];
  const lines = [
    '',
    "Redis bytes per payout by kind of key (MEMORY USAGE; ours, then the bare pipeline's queued):",
  ];
  const stages = [
    ...Object.entries(r.memory.ours.byKey),
    ['bare queued', r.memory.bare.byKey?.queued ?? {}] as const,
  ];
  for (const [stage, kinds] of stages) {
    const top = Object.entries(kinds)
      .filter(([, v]) => v > 0)
      .slice(0, 8);
    lines.push(`  ${stage}: ${top.map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
  }
  const { ours, bare } = r.memory;
  if (ours.oneTime !== undefined && bare.oneTime !== undefined)
    lines.push(
      `  one-time (left after the final flush; a warm-up of ${fmt(WARM_UP_PAYOUTS)} payouts through every stage made Redis's latency histograms and cached scripts before): ours ${fmt(ours.oneTime)}, bare ${fmt(bare.oneTime)}`,
    );
  return lines;
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
  for (const l of memoryLines(r)) console.log(l);
  console.log(`\n${loadLine(r)}`);
}
