import { mkdirSync, writeFileSync } from 'node:fs';
import { startPrivateRedis } from '../test/helpers/private-redis.js';
import { startPrimaryWithReplica } from '../test/helpers/replication.js';
import { oursThroughput } from './lifecycle.js';
import { startStub } from './stub.js';

/**
 * `npm run bench:durability`: what REDIS_DURABILITY costs. HTTP enqueue -> submitted payouts/s
 * (concurrency 50, the stub gateway) under each level, each against a private redis-server
 * configured for it on this machine's disk:
 * - acknowledged: AOF with appendfsync everysec (what docker-compose ran before);
 * - fsync: AOF with appendfsync always;
 * - replicas:1: appendfsync everysec, and one replica on a loopback port.
 * The levels take turns over three rounds (the order rotating each round) and each level's median is
 * compared with acknowledged's from the same run. `BENCH_QUICK=1` runs smaller sizes.
 */

const quick = process.env.BENCH_QUICK === '1';
const payouts = quick ? 1000 : 3000;
const ROUNDS = 3;
const everysec = ['--appendfsync', 'everysec'];

const stub = await startStub(0);
const acknowledgedRedis = await startPrivateRedis({ args: everysec });
const fsyncRedis = await startPrivateRedis(); // appendfsync always
const pair = await startPrimaryWithReplica({ args: everysec });
const levels = [
  { level: 'acknowledged', url: acknowledgedRedis.url },
  { level: 'fsync', url: fsyncRedis.url },
  { level: 'replicas:1', url: pair.primary.url },
] as const;

const runs: Record<string, number[]> = Object.fromEntries(levels.map((l) => [l.level, []]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < levels.length; i++) {
      const { level, url } = levels[(i + round) % levels.length]!;
      const rate = await oursThroughput(stub.url, payouts, 50, {
        REDIS_URL: url,
        REDIS_DURABILITY: level,
        LOG_LEVEL: 'warn',
      });
      runs[level]!.push(rate);
    }
  }
} finally {
  await stub.close();
  for (const r of [acknowledgedRedis, fsyncRedis, pair.replica, pair.primary]) await r.stop();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(runs.acknowledged!);
const results = levels.map(({ level }) => ({
  level,
  payoutsPerSecond: Math.round(median(runs[level]!)),
  ratio: Number((median(runs[level]!) / base).toFixed(2)),
  rounds: runs[level]!.map(Math.round),
}));
const fmt = (n: number) => n.toLocaleString('en-US');
process.stdout.write(
  [
    `REDIS_DURABILITY: HTTP enqueue -> submitted, payouts/s @50, ${fmt(payouts)} payouts, median of ${ROUNDS}`,
    ...results.map(
      (r) =>
        `  ${r.level.padEnd(13)} ${fmt(r.payoutsPerSecond).padStart(6)}  ${r.ratio.toFixed(2)} of acknowledged  (rounds ${r.rounds.map(fmt).join(', ')})`,
    ),
    '',
  ].join('\n'),
);
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('results/durability-latest.json', import.meta.url),
  `${JSON.stringify({ at: new Date().toISOString(), payouts, results }, null, 2)}\n`,
);
