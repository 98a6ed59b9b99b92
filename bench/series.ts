import type { SideName } from './systems.js';

/**
 * The runs' order and their summary: each side runs in turn, fresh processes each time, in series
 * whose first side alternates, so a slower minute on the shared machine hits both; each figure is
 * given as min–median–max over its runs, and each ratio as the ratio of medians with the spread of
 * the ratios of runs made back to back.
 */

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export const spread = (xs: number[]): Spread => ({
  min: Math.min(...xs),
  median: median(xs),
  max: Math.max(...xs),
});

export interface Paired<T> {
  ours: T[];
  bare: T[];
}

/**
 * `series` series of `pairs` pairs: in each pair both sides run once, the first side alternating
 * from pair to pair and from series to series. `between` runs after every run (a Redis flush).
 */
export async function alternate<T>(
  series: number,
  pairs: number,
  run: (side: SideName, label: string) => Promise<T>,
  between: () => Promise<void> = async () => undefined,
): Promise<Paired<T>> {
  const out: Paired<T> = { ours: [], bare: [] };
  for (let s = 0; s < series; s++) {
    for (let p = 0; p < pairs; p++) {
      const first: SideName = (s + p) % 2 === 0 ? 'bare' : 'ours';
      for (const side of [first, first === 'bare' ? 'ours' : 'bare'] as const) {
        out[side].push(await run(side, `series ${s + 1}, pair ${p + 1}`));
        await between();
      }
    }
  }
  return out;
}

export interface Compared {
  ours: Spread;
  bare: Spread;
  /** ours' median / bare's median. */
  ratio: number;
  /** The spread of ours / bare over the pairs. */
  pairRatios: Spread;
}

export function compare<T>(runs: Paired<T>, value: (r: T) => number): Compared {
  const ours = runs.ours.map(value);
  const bare = runs.bare.map(value);
  return {
    ours: spread(ours),
    bare: spread(bare),
    ratio: median(ours) / median(bare),
    pairRatios: spread(ours.map((o, i) => o / bare[i]!)),
  };
}
