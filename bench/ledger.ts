import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { payloadKeyId } from '../src/config.js';
import { createLedgerArchiver } from '../src/ledger/archiver.js';
import { connectLedger, type LedgerDb } from '../src/ledger/db.js';
import { migrateLedger } from '../src/ledger/migrations.js';
import { createLedgerWriter } from '../src/ledger/writer.js';
import { createPayoutStore, type PayoutStore } from '../src/payout/store.js';

/**
 * The ledger's costs. On the payout's path: a payout's record writes (create, claim, submitted,
 * succeeded) with the ledger outbox against the same without it. Behind it: the writer's CPU and wall
 * time per payout to carry those changes into PostgreSQL. And Redis bytes per payout before and after
 * archival (its tombstone). Runs against the PostgreSQL at LEDGER_TEST_DATABASE_URL, in a schema of
 * its own, dropped afterwards; skipped, and said so, when none answers.
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PG_URL = process.env.LEDGER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DAY = 86_400_000;

export interface LedgerBench {
  skipped?: string;
  payouts: number;
  /** Record writes per payout (4 scripts), µs of wall time, with and without the ledger outbox. */
  pathMicros: { withLedger: number; without: number; ratio: number };
  /** The writer, per payout (4 changes): CPU µs in this process, wall µs including PostgreSQL. */
  writer: { cpuMicros: number; wallMicros: number; payoutsPerSecond: number };
  /** Redis bytes per finished payout (record and history) and per archived one (its tombstone). */
  redisBytes: { finished: number; archived: number };
}

async function deletePrefix(redis: Redis, prefix: string) {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

function storeOf(redis: Redis, prefix: string, ledger: boolean): PayoutStore {
  const key = randomBytes(32);
  return createPayoutStore({
    redis,
    queuePrefix: prefix,
    payloadKeys: { current: { id: payloadKeyId(key), key }, previous: [] },
    logger: pino({ level: 'silent' }),
    ledger,
  });
}

/** Creates and finishes `n` payouts (create, claim, submitted, succeeded); returns µs per payout. */
async function finishPayouts(store: PayoutStore, n: number, tag: string): Promise<number> {
  const started = process.hrtime.bigint();
  const BATCH = 50;
  for (let i = 0; i < n; i += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, n - i) }, async (_, j) => {
        const id = `${tag}-${i + j}`;
        await store.create({
          method: 'bank_card',
          request: {
            payment_system: 'TEST_PS',
            external_id: id,
            amount: 1000 + j,
            currency: 'EUR',
            customer: { customer_id: `c-${j}`, country: 'LV', first_name: 'A', last_name: 'B' },
          },
          masked: { card_number: '411111******1111' },
        });
        const claim = await store.claim(id, Date.now());
        if (!claim.ok) throw new Error(`claim of ${id} refused`);
        await store.transition(id, 'gateway_pending', {
          actor: 'worker',
          orderId: `o-${id}`,
          gatewayStatus: 1,
        });
        await store.transition(id, 'gateway_success', { actor: 'callback', gatewayStatus: 4 });
      }),
    );
  }
  return Number(process.hrtime.bigint() - started) / 1000 / n;
}

/** The writer's CPU and wall time per payout, emptying the outbox the payouts filled. */
async function measureWriter(redis: Redis, prefix: string, db: LedgerDb, n: number) {
  const writer = createLedgerWriter({ redis, queuePrefix: prefix, db, logger: pino({ level: 'silent' }) });
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  while ((await writer.writeOnce()) > 0);
  const wallMicros = Number(process.hrtime.bigint() - started) / 1000 / n;
  const used = process.cpuUsage(cpu);
  return { cpuMicros: (used.user + used.system) / n, wallMicros, payoutsPerSecond: 1e6 / wallMicros };
}

/** MEMORY USAGE of a sample of finished payouts, then of their tombstones once archived. */
async function measureArchivedBytes(redis: Redis, prefix: string, db: LedgerDb, n: number) {
  const sample = Array.from({ length: Math.min(200, n) }, (_, i) => `l-${i}`);
  const store = storeOf(redis, prefix, true);
  const bytesOf = async (keys: string[]) => {
    let total = 0;
    for (const k of keys) total += Number((await redis.memory('USAGE', k)) ?? 0);
    return total / sample.length;
  };
  const finished = await bytesOf(sample.flatMap((id) => [store.keys.record(id), store.keys.history(id)]));
  const archiver = createLedgerArchiver({
    redis,
    queuePrefix: prefix,
    db,
    logger: pino({ level: 'silent' }),
    retentionMs: DAY,
    now: () => Date.now() + 2 * DAY,
  });
  while ((await archiver.archiveOnce()).archived > 0);
  const archived = await bytesOf(sample.map((id) => store.keys.tombstone(id)));
  return { finished, archived };
}

export async function benchLedger(opts: { payouts?: number } = {}): Promise<LedgerBench> {
  const n = opts.payouts ?? 5_000;
  const empty = {
    payouts: n,
    pathMicros: { withLedger: 0, without: 0, ratio: 0 },
    writer: { cpuMicros: 0, wallMicros: 0, payoutsPerSecond: 0 },
    redisBytes: { finished: 0, archived: 0 },
  };
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch (err) {
    return { ...empty, skipped: `no PostgreSQL at ${PG_URL}: ${(err as Error).message}` };
  }
  const schema = `bench_ledger_${randomBytes(4).toString('hex')}`;
  await admin.query(`create schema ${admin.escapeIdentifier(schema)}`);
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const db = connectLedger(url.toString(), pino({ level: 'silent' }));
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = `bench-ledger-${randomBytes(4).toString('hex')}`;
  const bare = `bench-noledger-${randomBytes(4).toString('hex')}`;
  try {
    await migrateLedger(db);
    // A warm-up of each, then each measured, each on a prefix of its own.
    await finishPayouts(storeOf(redis, bare, false), Math.min(n, 500), 'w');
    await finishPayouts(storeOf(redis, prefix, true), Math.min(n, 500), 'w');
    await redis.del(storeOf(redis, prefix, true).keys.ledgerOutbox);
    const without = await finishPayouts(storeOf(redis, bare, false), n, 'b');
    const withLedger = await finishPayouts(storeOf(redis, prefix, true), n, 'l');
    const writer = await measureWriter(redis, prefix, db, n);
    const redisBytes = await measureArchivedBytes(redis, prefix, db, n);
    return {
      payouts: n,
      pathMicros: { withLedger, without, ratio: withLedger / without },
      writer,
      redisBytes,
    };
  } finally {
    await deletePrefix(redis, prefix);
    await deletePrefix(redis, bare);
    redis.disconnect();
    await db.destroy();
    await admin.query(`drop schema if exists ${admin.escapeIdentifier(schema)} cascade`);
    await admin.end();
  }
}

// `node --import tsx bench/ledger.ts` runs this part alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(
    JSON.stringify(
      await benchLedger({ payouts: Number(process.env.BENCH_LEDGER_PAYOUTS ?? 5_000) }),
      null,
      2,
    ),
  );
}
