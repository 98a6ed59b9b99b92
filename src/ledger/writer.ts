import type { Redis } from 'ioredis';
import type { Insertable } from 'kysely';
import type { Logger } from '../logger.js';
import { decodeEntry } from '../payout/history.js';
import { payoutKeys } from '../payout/keys.js';
import { copyAuditOnce } from './audit-copy.js';
import type { LedgerDb } from './db.js';
import { isRowError, moveToRefused, refusalNames, refusedKey, rotateRefused } from './refused.js';
import { CURRENT_COLUMNS, depositRows, payoutRows } from './rows.js';
import type { DepositTransitionTable, PayoutTable, PayoutTransitionTable } from './schema.js';

/**
 * The ledger writer: carries the ledger outbox (written by the record's scripts in the same step as
 * each change) into PostgreSQL. At least once: an entry leaves the outbox only after the transaction
 * holding its rows committed; a row written twice is one row (primary key (external_id, seq), insert
 * or nothing). Each entry names a change; the writer reads the payout as it now is and writes its
 * whole history, so entries delivered late, twice or out of order all end in the same rows.
 *
 * PostgreSQL down or slow only delays this loop: payouts never wait for it, the outbox waits in Redis
 * and the lag is a metric (metrics.ts). Nothing is ever skipped: a batch that fails is tried again, and
 * a payout whose rows the database refuses is moved aside and tried again on its own (refused.ts).
 */

export interface LedgerOutboxEntry {
  kind: 'payout' | 'deposit';
  external_id: string;
  seq: number;
  /** When the change happened (epoch ms): the ledger's lag is the age of the oldest entry. */
  at: number;
}

export type LedgerWriteResult = 'written' | 'failed' | 'refused';

const BATCH = 200;
const IDLE_MS = 100;
/** Back-off after a failed write: doubling from 250 ms to 10 s, so a recovered database is found soon. */
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 10_000;
/** Refused rows are tried again from 5 s, doubling to 5 min while they stay refused (each try is logged). */
const REFUSED_RETRY_BASE_MS = 5_000;
const REFUSED_RETRY_MAX_MS = 300_000;

/** What one payout or deposit contributes to a write, with the outbox entries it settles. */
interface Group {
  kind: LedgerOutboxEntry['kind'];
  id: string;
  raw: string[];
  seqs: number[];
  transitions: Insertable<PayoutTransitionTable>[];
  current?: Insertable<PayoutTable>;
  deposits: Insertable<DepositTransitionTable>[];
  /** Why its rows cannot be written: the database refused them, or Redis holds what cannot be read. */
  refused?: unknown;
}

function parseEntry(raw: string): LedgerOutboxEntry | undefined {
  try {
    const e = JSON.parse(raw) as Partial<LedgerOutboxEntry>;
    return (e.kind === 'payout' || e.kind === 'deposit') && typeof e.external_id === 'string'
      ? (e as LedgerOutboxEntry)
      : undefined;
  } catch {
    return undefined;
  }
}

export function createLedgerWriter(deps: {
  redis: Redis;
  queuePrefix: string;
  db: LedgerDb;
  logger: Logger;
  /** Entries written (inserted or found already there), failed write attempts and refused entries. */
  onWrite?: (result: LedgerWriteResult, entries: number) => void;
}) {
  const keys = payoutKeys(deps.queuePrefix);
  const outbox = keys.ledgerOutbox;
  const refusedList = refusedKey(outbox);
  const depositHistory = (id: string) => `${deps.queuePrefix}:deposit-history:${id}`;

  /** The entries as one group per payout or deposit; entries that cannot be read are returned apart. */
  function group(raws: string[]): { groups: Group[]; unreadable: string[] } {
    const groups = new Map<string, Group>();
    const unreadable: string[] = [];
    for (const raw of raws) {
      const entry = parseEntry(raw);
      if (!entry) {
        unreadable.push(raw);
        continue;
      }
      const key = `${entry.kind}:${entry.external_id}`;
      const g = groups.get(key) ?? {
        kind: entry.kind,
        id: entry.external_id,
        raw: [],
        seqs: [],
        transitions: [],
        deposits: [],
      };
      g.raw.push(raw);
      g.seqs.push(entry.seq);
      groups.set(key, g);
    }
    return { groups: [...groups.values()], unreadable };
  }

  /** Reads what the groups name, in one MULTI so a record and its history agree. */
  async function read(groups: Group[]): Promise<void> {
    const multi = deps.redis.multi();
    for (const g of groups) {
      if (g.kind === 'payout') multi.hgetall(keys.record(g.id)).get(keys.history(g.id));
      else multi.lrange(depositHistory(g.id), 0, -1);
    }
    const res = (await multi.exec()) ?? [];
    const failed = res.find(([err]) => err);
    if (failed) throw failed[0];
    let i = 0;
    for (const g of groups) {
      try {
        if (g.kind === 'payout') {
          const h = res[i++]?.[1] as Record<string, string>;
          const raw = res[i++]?.[1] as string | null;
          // Absent: archived, which the archiver does only once the ledger holds every change.
          if (!h.status || !raw) continue;
          const rows = payoutRows(g.id, h, raw.split('\n').map(decodeEntry));
          g.transitions = rows.transitions;
          g.current = rows.current;
        } else {
          g.deposits = depositRows(g.id, res[i++]?.[1] as string[]);
        }
      } catch (err) {
        g.refused = err;
      }
    }
  }

  async function write(groups: Group[]): Promise<void> {
    const transitions = groups.flatMap((g) => g.transitions);
    const currents = groups.flatMap((g) => (g.current ? [g.current] : []));
    const deposits = groups.flatMap((g) => g.deposits);
    await deps.db.transaction().execute(async (tx) => {
      if (transitions.length > 0) {
        await tx
          .insertInto('payout_transitions')
          .values(transitions)
          .onConflict((oc) => oc.columns(['external_id', 'seq']).doNothing())
          .execute();
      }
      if (currents.length > 0) {
        await tx
          .insertInto('payouts')
          .values(currents)
          // One statement for the batch; a change read later than a newer one never overwrites it.
          .onConflict((oc) =>
            oc
              .column('external_id')
              .doUpdateSet((eb) => {
                const set: Record<string, unknown> = {};
                for (const column of CURRENT_COLUMNS) set[column] = eb.ref(`excluded.${column}`);
                return set as never;
              })
              .whereRef('payouts.seq', '<', 'excluded.seq'),
          )
          .execute();
      }
      if (deposits.length > 0) {
        await tx
          .insertInto('deposit_transitions')
          .values(deposits)
          .onConflict((oc) => oc.columns(['external_id', 'seq']).doNothing())
          .execute();
      }
    });
  }

  /**
   * Writes the readable groups in one transaction; when the database refuses a row, each group alone,
   * marking the refused ones. Any other failure (the database away) throws: nothing is marked then.
   */
  async function writeGroups(groups: Group[]): Promise<void> {
    const readable = groups.filter((g) => g.refused === undefined);
    try {
      await write(readable);
    } catch (err) {
      if (!isRowError(err)) throw err;
      for (const g of readable) {
        try {
          await write([g]);
        } catch (one) {
          if (!isRowError(one)) throw one;
          g.refused = one;
        }
      }
    }
  }

  function logRefused(g: Group, again: boolean): void {
    deps.logger.error(
      {
        [g.kind === 'payout' ? 'external_id' : 'deposit_id']: g.id,
        seqs: g.seqs,
        err: g.refused,
        ...refusalNames(g.refused),
      },
      again
        ? `ledger: the ${g.kind}'s rows are still refused; tried again later (payouts_ledger_refused_entries)`
        : `ledger: the ${g.kind}'s rows were refused; moved aside and tried again until written (payouts_ledger_refused_entries)`,
    );
  }

  /** One batch of `list`: written entries leave it; returns the groups refused and the unreadable entries. */
  async function pass(list: string): Promise<{ taken: number; refused: Group[]; unreadable: string[] }> {
    const raws = await deps.redis.lrange(list, 0, BATCH - 1);
    if (raws.length === 0) return { taken: 0, refused: [], unreadable: [] };
    const { groups, unreadable } = group(raws);
    await read(groups);
    await writeGroups(groups);
    const written = groups.filter((g) => g.refused === undefined);
    const settled = written.flatMap((g) => g.raw);
    if (settled.length > 0) {
      const pipeline = deps.redis.pipeline();
      for (const raw of settled) pipeline.lrem(list, 1, raw);
      const res = (await pipeline.exec()) ?? [];
      const failed = res.find(([err]) => err);
      if (failed) throw failed[0];
      deps.onWrite?.('written', settled.length);
    }
    return { taken: raws.length, refused: groups.filter((g) => g.refused !== undefined), unreadable };
  }

  /** Writes one batch of the outbox, moving refused entries aside; returns how many entries it took. */
  async function writeOnce(): Promise<number> {
    const { taken, refused, unreadable } = await pass(outbox);
    const aside = [...refused.flatMap((g) => g.raw), ...unreadable];
    if (aside.length === 0) return taken;
    await moveToRefused(deps.redis, outbox, aside);
    deps.onWrite?.('refused', aside.length);
    for (const g of refused) logRefused(g, false);
    for (const raw of unreadable)
      deps.logger.error(
        { entry: raw.slice(0, 300) },
        'ledger: an outbox entry that cannot be read; moved aside and kept (payouts_ledger_refused_entries)',
      );
    return taken;
  }

  /**
   * Tries a batch of the refused entries again; the ones still refused go to the list's tail, so the
   * next try takes the next batch. Returns how many of this batch are still refused.
   */
  async function retryRefusedOnce(): Promise<number> {
    const { refused, unreadable } = await pass(refusedList);
    for (const g of refused) logRefused(g, true);
    const still = [...refused.flatMap((g) => g.raw), ...unreadable];
    await rotateRefused(deps.redis, outbox, still);
    return still.length;
  }

  const writeAuditOnce = () => copyAuditOnce(deps, BATCH);

  let running = false;
  let done: Promise<void> = Promise.resolve();
  return {
    writeOnce,
    writeAuditOnce,
    retryRefusedOnce,
    start() {
      running = true;
      done = (async () => {
        let delay = RETRY_BASE_MS;
        let refusedDelay = REFUSED_RETRY_BASE_MS;
        let refusedAt = 0;
        while (running) {
          try {
            const n = (await writeOnce()) + (await writeAuditOnce());
            if (Date.now() >= refusedAt) {
              const still = await retryRefusedOnce();
              refusedDelay =
                still > 0 ? Math.min(REFUSED_RETRY_MAX_MS, refusedDelay * 2) : REFUSED_RETRY_BASE_MS;
              refusedAt = Date.now() + refusedDelay;
            }
            delay = RETRY_BASE_MS;
            if (n === 0) await new Promise((r) => setTimeout(r, IDLE_MS));
          } catch (err) {
            deps.onWrite?.('failed', 0);
            deps.logger.warn(
              { err, retry_in_ms: delay },
              'ledger: write failed; the outbox waits in Redis and is tried again',
            );
            await new Promise((r) => setTimeout(r, delay));
            delay = Math.min(RETRY_MAX_MS, delay * 2);
          }
        }
      })();
    },
    async close() {
      running = false;
      await done;
    },
  };
}
