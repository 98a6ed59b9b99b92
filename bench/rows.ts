import type { BenchResults } from './report.js';
import type { Compared, Spread } from './series.js';

/** The rows of the table `npm run bench` prints: the targets first, then their context. */

export type Row = [
  figure: string,
  ours: string,
  bare: string,
  ratio: string,
  target: string,
  verdict: string,
];

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** min–median–max, or one number when there was one run. */
export const range = (s: Spread, digits = 0) =>
  s.min === s.max
    ? fmt(s.median, digits)
    : `${fmt(s.min, digits)}–${fmt(s.median, digits)}–${fmt(s.max, digits)}`;
const ratioOf = (c: Compared) =>
  c.pairRatios.min === c.pairRatios.max
    ? fmt(c.ratio, 2)
    : `${fmt(c.ratio, 2)} (pairs ${fmt(c.pairRatios.min, 2)}–${fmt(c.pairRatios.max, 2)})`;

/** A target: `value` against `limit`, at least (>=) or at most (<=). */
interface Target {
  limit: number;
  atLeast: boolean;
  value: number;
  shown?: string;
}
const targetCells = (t?: Target): [string, string] => {
  if (!t) return ['', ''];
  const met = t.atLeast ? t.value >= t.limit : t.value <= t.limit;
  return [`${t.atLeast ? '>=' : '<='} ${t.shown ?? fmt(t.limit, 2)}`, met ? 'met' : 'MISSED'];
};

/** A figure of both sides, compared: the target, if any, is on the ratio of medians. */
/** Runs made back to back disagree by more than half: the machine's load, not the sides, decided. */
const NOISY = 1.5;

/**
 * A figure of both sides, compared: the target, if any, is on the ratio of medians; a verdict whose
 * pairs' ratios spread by more than NOISY is marked noisy.
 */
const compared = (figure: string, c: Compared, digits = 0, target?: Omit<Target, 'value'>): Row => {
  const [limit, verdict] = targetCells(target && { ...target, value: c.ratio });
  const noisy = verdict && c.pairRatios.max > NOISY * c.pairRatios.min ? ' (noisy)' : '';
  return [figure, range(c.ours, digits), range(c.bare, digits), ratioOf(c), limit, verdict + noisy];
};

const plain = (figure: string, ours: string, bare = '', ratio = '', target?: Target): Row => [
  figure,
  ours,
  bare,
  ratio,
  ...targetCells(target),
];

export function targetRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  const { throughput: t, latency: l, slowGateway: s, memory: m } = r;
  if (t) {
    rows.push(
      compared('HTTP enqueue -> submitted, payouts/s', t.perSecond, 0, { limit: 0.8, atLeast: true }),
    );
    rows.push(compared('CPU per payout, API process, µs', t.cpuApi, 0, { limit: 1.5, atLeast: false }));
    rows.push(compared('CPU per payout, worker process, µs', t.cpuWorker, 0, { limit: 1.3, atLeast: false }));
  }
  if (l) {
    const figure = `p99 enqueue -> submitted @${fmt(l.rate)}/s, ms`;
    rows.push(compared(figure, l.p99, 1, { limit: 2, atLeast: false }));
  }
  if (s) {
    const figure = `share of the ${fmt(s.bound)}/s bound sustained (100 ms gateway, concurrency 50)`;
    const target = { limit: 0.95, atLeast: true, value: s.share.ours.median };
    rows.push(plain(figure, range(s.share.ours, 2), range(s.share.bare, 2), '', target));
  }
  if (m) {
    const bytes = (value: number, limit: number) => ({ limit, atLeast: false, value, shown: fmt(limit) });
    const { ours, bare } = m;
    const queued = `Redis bytes per queued payout (${fmt(ours.payouts)} payouts)`;
    const ratio = fmt(ours.queued / bare.queued, 2);
    rows.push(plain(queued, fmt(ours.queued), fmt(bare.queued), ratio, bytes(ours.queued, 1536)));
    const submitted = 'Redis bytes per submitted payout (awaiting its callback)';
    const kept = `${fmt(bare.submitted)} (no job kept)`;
    rows.push(plain(submitted, fmt(ours.submitted), kept, '', bytes(ours.submitted, 1280)));
    const terminal = ours.terminal ?? Number.NaN;
    rows.push(plain('Redis bytes per terminal payout', fmt(terminal), '', '', bytes(terminal, 1024)));
  }
  return rows;
}

/** The rows under the targets: controls, context and the figures kept from earlier benches. */
export function contextRows(r: BenchResults): Row[] {
  return [
    ...pipelineRows(r),
    ...durabilityRows(r),
    ...gatewayClientRows(r),
    ...ledgerRows(r),
    ...scalingRows(r),
  ];
}

/** Throughput's controls, CPU at the latency figure's one rate, the slow gateway's, what fell behind. */
function pipelineRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  const { throughput: t, latency: l, slowGateway: s } = r;
  if (t) {
    rows.push(compared('  accepted by the API, payouts/s', t.enqueuedPerSecond));
    if (t.cpuRedis) rows.push(compared('  control: redis-server CPU per payout, µs', t.cpuRedis));
    if (t.cpuAll) {
      const row = compared('  CPU per payout, API + worker + Redis, µs', t.cpuAll);
      row[4] = `throughput if CPU-bound: ${fmt(1 / t.cpuAll.ratio, 2)}`;
      rows.push(row);
    }
    rows.push(compared('  RSS of API + worker after a run, MB', t.rssMB));
    if (t.machineBusy) rows.push(busyRow(t.machineBusy));
  }
  if (l) {
    rows.push(compared('  p50 at the same rate, ms', l.p50, 1));
    const at = `@${fmt(l.rate)}/s (both sides)`;
    if (l.cpuApi) rows.push(compared(`  CPU per payout ${at}, API process, µs`, l.cpuApi));
    if (l.cpuWorker) rows.push(compared(`  CPU per payout ${at}, worker process, µs`, l.cpuWorker));
    if (l.cpuAll) rows.push(compared(`  CPU per payout ${at}, API + worker + Redis, µs`, l.cpuAll));
  }
  if (s) {
    const accepted = range(s.enqueuedPerSecond.ours);
    rows.push(
      compared(`  the same, payouts/s (${fmt(s.offered)}/s offered; accepted ${accepted})`, s.perSecond),
    );
    if (s.machineBusy) rows.push(busyRow(s.machineBusy));
  }
  for (const [what, runs] of [
    ['latency', l?.runs],
    ['100 ms gateway', s?.runs],
  ] as const) {
    if (!runs) continue;
    const skipped = (xs: { skipped?: number }[]) => xs.reduce((t, x) => t + (x.skipped ?? 0), 0);
    const [o, b] = [skipped(runs.ours), skipped(runs.bare)];
    if (o + b > 0)
      rows.push(plain(`  ${what}: payouts not sent, 1,024 unanswered (fell behind)`, fmt(o), fmt(b)));
  }
  return rows;
}

/** How busy the machine's cores were during the runs: near 100%, every process waits for a core. */
function busyRow(busy: Compared): Row {
  const pct = (x: Spread) => range({ min: x.min * 100, median: x.median * 100, max: x.max * 100 });
  return plain('  the machine, % of all cores busy (every process)', pct(busy.ours), pct(busy.bare));
}

function durabilityRows(r: BenchResults): Row[] {
  return (r.durability ?? []).map((d) => {
    const cpu = `${fmt(d.cpuMicros.api.median)}/${fmt(d.cpuMicros.worker.median)}`;
    const vs = d.level === 'acknowledged' ? '' : 'acknowledged';
    return [
      `REDIS_DURABILITY=${d.level}, payouts/s (CPU µs api/worker)`,
      `${range(d.perSecond)} (${cpu})`,
      vs,
      fmt(d.ratio, 2),
      'reported',
      '',
    ];
  });
}

function gatewayClientRows(r: BenchResults): Row[] {
  const g = r.gatewayClient;
  if (!g) return [];
  const target = { limit: 0.9, atLeast: true, value: g.ratio };
  const baseline = `${fmt(g.baseline)} (bare axios)`;
  return [plain('gateway client, payouts/s @50 in flight', fmt(g.ours), baseline, fmt(g.ratio, 2), target)];
}

function ledgerRows(r: BenchResults): Row[] {
  const lg = r.ledger;
  if (lg?.skipped) return [plain('ledger: skipped', lg.skipped)];
  if (!lg) return [];
  const w = lg.writer;
  const writer = plain(
    'ledger writer per payout (4 changes), CPU µs / wall µs',
    `${fmt(w.cpuMicros)} / ${fmt(w.wallMicros)}`,
  );
  writer[4] = `${fmt(w.payoutsPerSecond)}/s into PostgreSQL`;
  const b = lg.redisBytes;
  const target = { limit: 256, atLeast: false, value: b.archived, shown: '256' };
  const tombstone = plain(
    'Redis bytes per archived payout (tombstone)',
    fmt(b.archived),
    `${fmt(b.finished)} (finished, kept)`,
    fmt(b.archived / b.finished, 2),
    target,
  );
  return [writer, tombstone];
}

function scalingRows(r: BenchResults): Row[] {
  if (!r.scaling) return [];
  const { processes: p, curve, curveGatewayLatencyMs: ms } = r.scaling;
  return [
    plain('worker processes: 2 vs 1, payouts/s', fmt(p.two), `${fmt(p.one)} (1 process)`, fmt(p.growth, 2)),
    ...curve.map((c) =>
      plain(`  1 process, concurrency ${c.concurrency}, ${ms} ms gateway`, fmt(c.payoutsPerSecond)),
    ),
  ];
}
