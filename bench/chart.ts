import type { BenchResults } from './report.js';
import type { Spread } from './series.js';

/**
 * A small SVG of the bench: payouts/s and p99 latency of ours beside the bare pipeline (bars at the
 * median, whiskers from min to max over the runs), and throughput against worker concurrency (a
 * line). Plain SVG: no chart library needed.
 */

const W = 980;
const H = 340;
const PY = 40;
const PH = 240;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const round = (n: number) => (n >= 100 ? Math.round(n) : Math.round(n * 10) / 10);

/** Two bars with whiskers, `left` px from the edge, 200 px wide. */
function barsPanel(left: number, title: string, bars: [string, Spread, string][]): string {
  const parts: string[] = [`<text x="${left}" y="24" font-size="14" font-weight="bold">${esc(title)}</text>`];
  const maxV = Math.max(...bars.map((b) => b[1].max)) * 1.15 || 1;
  const y = (v: number) => PY + PH - (v / maxV) * PH;
  const bw = 200 / bars.length;
  bars.forEach(([label, s, color], i) => {
    const x = left + i * bw + 12;
    const w = bw - 24;
    const mid = x + w / 2;
    parts.push(
      `<rect x="${x}" y="${y(s.median)}" width="${w}" height="${PY + PH - y(s.median)}" fill="${color}"/>`,
    );
    parts.push(
      `<line x1="${mid}" y1="${y(s.min)}" x2="${mid}" y2="${y(s.max)}" stroke="#222" stroke-width="1.5"/>`,
    );
    for (const v of [s.min, s.max]) {
      parts.push(
        `<line x1="${mid - 6}" y1="${y(v)}" x2="${mid + 6}" y2="${y(v)}" stroke="#222" stroke-width="1.5"/>`,
      );
    }
    parts.push(
      `<text x="${mid}" y="${y(s.max) - 5}" font-size="11" text-anchor="middle">${round(s.median)}</text>`,
    );
    parts.push(
      `<text x="${mid}" y="${PY + PH + 16}" font-size="11" text-anchor="middle">${esc(label)}</text>`,
    );
  });
  parts.push(`<line x1="${left}" y1="${PY + PH}" x2="${left + 200}" y2="${PY + PH}" stroke="#333"/>`);
  return parts.join('');
}

function curvePanel(left: number, scaling: NonNullable<BenchResults['scaling']>): string {
  const curve = scaling.curve;
  const pw = 360;
  const parts: string[] = [
    `<text x="${left}" y="24" font-size="14" font-weight="bold">Payouts/s against worker concurrency (${scaling.curveGatewayLatencyMs} ms gateway)</text>`,
  ];
  const maxY = Math.max(...curve.map((c) => c.payoutsPerSecond)) * 1.1 || 1;
  const xs = curve.map((c) => Math.log10(c.concurrency));
  const [minX, maxX] = [Math.min(...xs), Math.max(...xs)];
  const x = (c: number) => left + ((Math.log10(c) - minX) / (maxX - minX || 1)) * pw;
  const y = (v: number) => PY + PH - (v / maxY) * PH;
  parts.push(`<line x1="${left}" y1="${PY + PH}" x2="${left + pw}" y2="${PY + PH}" stroke="#333"/>`);
  parts.push(`<line x1="${left}" y1="${PY}" x2="${left}" y2="${PY + PH}" stroke="#333"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = (maxY / 4) * i;
    parts.push(
      `<text x="${left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${Math.round(v)}</text>`,
    );
    parts.push(`<line x1="${left}" y1="${y(v)}" x2="${left + pw}" y2="${y(v)}" stroke="#eee"/>`);
  }
  for (const c of curve) {
    parts.push(
      `<text x="${x(c.concurrency)}" y="${PY + PH + 16}" font-size="11" text-anchor="middle">${c.concurrency}</text>`,
    );
    parts.push(
      `<circle cx="${x(c.concurrency)}" cy="${y(c.payoutsPerSecond)}" r="3.5" fill="#2b6cb0"><title>${c.concurrency}: ${Math.round(c.payoutsPerSecond)}/s</title></circle>`,
    );
  }
  parts.push(
    `<polyline fill="none" stroke="#2b6cb0" stroke-width="2.5" points="${curve.map((c) => `${x(c.concurrency)},${y(c.payoutsPerSecond)}`).join(' ')}"/>`,
  );
  parts.push(
    `<text x="${left + pw / 2}" y="${PY + PH + 34}" font-size="12" text-anchor="middle">payouts in flight per worker</text>`,
  );
  return parts.join('');
}

export function renderChart(r: BenchResults): string {
  const parts: string[] = [];
  const OURS = '#2b6cb0';
  const BARE = '#a0aec0';
  if (r.throughput) {
    const t = r.throughput.perSecond;
    parts.push(
      barsPanel(20, 'Payouts/s (64 clients)', [
        ['ours', t.ours, OURS],
        ['bare', t.bare, BARE],
      ]),
    );
  }
  if (r.latency) {
    const l = r.latency.p99;
    parts.push(
      barsPanel(270, `p99 ms at ${r.latency.rate}/s`, [
        ['ours', l.ours, OURS],
        ['bare', l.bare, BARE],
      ]),
    );
  }
  if (r.scaling) parts.push(curvePanel(570, r.scaling));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>\n`;
}
