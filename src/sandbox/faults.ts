/**
 * Global fault injection for load tests: a seeded PRNG decides, per create request, whether the
 * sandbox answers 503, fails with 500 after creating the order, or drops the connection after
 * creating it; and how long each API answer is delayed. The same seed gives the same sequence.
 */

export interface FaultOptions {
  /** Probability (0-1) that a create request is answered 503 before anything is created. @defaultValue 0 */
  rate503?: number | undefined;
  /** Probability that the order is created and the answer is a 500. @defaultValue 0 */
  rate500AfterCreate?: number | undefined;
  /** Probability that the order is created and the connection is dropped without an answer. @defaultValue 0 */
  rateDropAfterCreate?: number | undefined;
  /** Seed of the PRNG. @defaultValue 1 */
  seed?: number | undefined;
}

/** Added to every gateway endpoint's answer, uniformly between min and max (real milliseconds). */
export interface LatencyOptions {
  minMs: number;
  maxMs: number;
}

/** mulberry32: small, fast, and good enough to spread faults evenly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type BeforeCreateFault = 'none' | '503';
export type AfterCreateFault = 'none' | '500' | 'drop';

export interface Faults {
  beforeCreate(): BeforeCreateFault;
  afterCreate(): AfterCreateFault;
  latencyMs(): number;
}

const probability = (name: string, value: number | undefined): number => {
  const p = value ?? 0;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`sandbox fault ${name} must be between 0 and 1`);
  return p;
};

export function createFaults(faults: FaultOptions = {}, latency?: LatencyOptions | number): Faults {
  const random = seededRandom(faults.seed ?? 1);
  const rate503 = probability('rate503', faults.rate503);
  const rate500 = probability('rate500AfterCreate', faults.rate500AfterCreate);
  const rateDrop = probability('rateDropAfterCreate', faults.rateDropAfterCreate);
  const { minMs, maxMs } =
    typeof latency === 'number' ? { minMs: latency, maxMs: latency } : (latency ?? { minMs: 0, maxMs: 0 });
  if (!(minMs >= 0 && maxMs >= minMs)) throw new RangeError('sandbox latency needs 0 <= minMs <= maxMs');
  return {
    // No draw when a rate is 0, so that turning one fault on does not shift the others' sequence.
    beforeCreate: () => (rate503 > 0 && random() < rate503 ? '503' : 'none'),
    afterCreate() {
      if (rate500 === 0 && rateDrop === 0) return 'none';
      const r = random();
      if (r < rate500) return '500';
      if (r < rate500 + rateDrop) return 'drop';
      return 'none';
    },
    latencyMs: () => (maxMs === 0 ? 0 : minMs + Math.floor(random() * (maxMs - minMs + 1))),
  };
}
