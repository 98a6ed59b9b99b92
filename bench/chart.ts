/**
 * A small SVG of the benchmark: throughput against worker concurrency (a line), and enqueue ->
 * submitted latency percentiles beside the bare worker's (bars). Plain SVG: no chart library needed.
 */

const W = 860;
const H = 340;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function renderChart(input: {
  curve: { concurrency: number; payoutsPerSecond: number }[];
  curveGatewayLatencyMs: number;
  latency: { rate: number; ours: { p50: number; p99: number }; baseline: { p50: number; p99: number } };
}): string {
  const parts: string[] = [];
  // Left panel: throughput against concurrency (log x).
  const px = 60;
  const py = 40;
  const pw = 440;
  const ph = 240;
  const maxY = Math.max(...input.curve.map((c) => c.payoutsPerSecond)) * 1.1 || 1;
  const xs = input.curve.map((c) => Math.log10(c.concurrency));
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const x = (c: number) => px + ((Math.log10(c) - minX) / (maxX - minX || 1)) * pw;
  const y = (v: number) => py + ph - (v / maxY) * ph;
  parts.push(
    `<text x="${px}" y="24" font-size="14" font-weight="bold">Payouts/s against worker concurrency (gateway answers in ${input.curveGatewayLatencyMs} ms)</text>`,
  );
  parts.push(
    `<line x1="${px}" y1="${py + ph}" x2="${px + pw}" y2="${py + ph}" stroke="#333"/><line x1="${px}" y1="${py}" x2="${px}" y2="${py + ph}" stroke="#333"/>`,
  );
  for (let i = 0; i <= 4; i++) {
    const v = (maxY / 4) * i;
    parts.push(
      `<text x="${px - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${Math.round(v)}</text>`,
    );
    parts.push(`<line x1="${px}" y1="${y(v)}" x2="${px + pw}" y2="${y(v)}" stroke="#eee"/>`);
  }
  for (const c of input.curve) {
    parts.push(
      `<text x="${x(c.concurrency)}" y="${py + ph + 16}" font-size="11" text-anchor="middle">${c.concurrency}</text>`,
    );
  }
  parts.push(
    `<polyline fill="none" stroke="#2b6cb0" stroke-width="2.5" points="${input.curve.map((c) => `${x(c.concurrency)},${y(c.payoutsPerSecond)}`).join(' ')}"/>`,
  );
  for (const c of input.curve) {
    parts.push(
      `<circle cx="${x(c.concurrency)}" cy="${y(c.payoutsPerSecond)}" r="3.5" fill="#2b6cb0"><title>${c.concurrency}: ${Math.round(c.payoutsPerSecond)}/s</title></circle>`,
    );
  }
  parts.push(
    `<text x="${px + pw / 2}" y="${py + ph + 34}" font-size="12" text-anchor="middle">payouts in flight per worker</text>`,
  );
  // Right panel: latency percentiles.
  const bx = 580;
  const bw = 240;
  const bars = [
    ['ours p50', input.latency.ours.p50, '#2b6cb0'],
    ['bare p50', input.latency.baseline.p50, '#a0aec0'],
    ['ours p99', input.latency.ours.p99, '#2b6cb0'],
    ['bare p99', input.latency.baseline.p99, '#a0aec0'],
  ] as const;
  const maxL = Math.max(...bars.map((b) => b[1])) * 1.15 || 1;
  parts.push(
    `<text x="${bx}" y="24" font-size="14" font-weight="bold">Enqueue -> submitted, ms (at ${input.latency.rate}/s)</text>`,
  );
  bars.forEach(([label, value, color], i) => {
    const bh = (value / maxL) * ph;
    const left = bx + i * (bw / 4) + 8;
    parts.push(
      `<rect x="${left}" y="${py + ph - bh}" width="${bw / 4 - 16}" height="${bh}" fill="${color}"/>`,
    );
    parts.push(
      `<text x="${left + (bw / 4 - 16) / 2}" y="${py + ph - bh - 4}" font-size="11" text-anchor="middle">${value}</text>`,
    );
    parts.push(
      `<text x="${left + (bw / 4 - 16) / 2}" y="${py + ph + 16}" font-size="11" text-anchor="middle">${esc(label)}</text>`,
    );
  });
  parts.push(`<line x1="${bx}" y1="${py + ph}" x2="${bx + bw}" y2="${py + ph}" stroke="#333"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>\n`;
}
