import type { Redis } from 'ioredis';
import type { Insertable } from 'kysely';
import type { Logger } from '../logger.js';
import { auditKey, decodeAuditEntry } from '../operators/audit.js';
import { decodeEntry, type HistoryEntry } from '../payout/history.js';
import { payoutKeys } from '../payout/keys.js';
import type { LedgerDb } from './db.js';
import type { DepositTransitionTable, PayoutTable, PayoutTransitionTable } from './schema.js';

/**
 * The ledger writer: carries the ledger outbox (written by the record's scripts in the same step as
 * each change) into PostgreSQL. At least once: an entry leaves the outbox only after the transaction
 * holding its rows committed; a row written twice is one row (primary key (external_id, seq), insert
 * or nothing). Each entry names a change; the writer reads the payout as it now is and writes its
 * whole history, so entries delivered late, twice or out of order all end in the same rows.
 *
 * PostgreSQL down or slow only delays this loop: payouts never wait for it, the outbox waits in Redis
 * and the lag is a metric (metrics.ts). Nothing is ever skipped: a batch that fails is tried again.
 */

export interface LedgerOutboxEntry {
  kind: 'payout' | 'deposit';
  external_id: string;
  seq: number;
  /** When the change happened (epoch ms): the ledger's lag is the age of the oldest entry. */
  at: number;
}

const BATCH = 200;
const IDLE_MS = 100;
/** Back-off after a failed write: doubling from 250 ms to 10 s, so a recovered database is found soon. */
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 10_000;

/** What one payout or deposit contributes to a write, with the outbox entries it settles. */
interface Group {
  key: string;
  raw: string[];
  transitions: Insertable<PayoutTransitionTable>[];
  current?: Insertable<PayoutTable>;
  deposits: Insertable<DepositTransitionTable>[];
}

/** PostgreSQL's data and constraint errors (SQLSTATE classes 22, 23): this row, not the database. */
const isRowError = (err: unknown) => /^2[23]/.test(String((err as { code?: unknown }).code ?? ''));

const MASKED = 'm:';
/** Every column of the current row but its key and archival mark: what a newer change rewrites. */
const CURRENT_COLUMNS = [
  'method',
  'payment_system',
  'amount',
  'currency',
  'customer_id',
  'country',
  'status',
  'order_id',
  'gateway_status',
  'attempts',
  'reason',
  'reason_code',
  'payment_data',
  'seq',
  'created_at',
  'updated_at',
  'state_at',
] as const satisfies readonly Exclude<keyof PayoutTable, 'external_id' | 'archived_at'>[];
const ms = (v: string | undefined) => new Date(Number(v ?? 0));

export function payoutRows(
  externalId: string,
  h: Record<string, string>,
  history: HistoryEntry[],
): { transitions: Insertable<PayoutTransitionTable>[]; current: Insertable<PayoutTable> } {
  const transitions = history.map((e) => ({
    external_id: externalId,
    seq: e.seq,
    at: e.at,
    from_state: e.from ?? null,
    to_state: e.to,
    event: e.event,
    actor: e.actor,
    attempt: e.attempt ?? null,
    gateway_status: e.gateway_status ?? null,
    order_id: e.order_id ?? null,
    reason: e.reason ?? null,
    reason_code: e.reason_code ?? null,
    who: e.who ?? null,
    note: e.note ?? null,
    contradiction: e.contradiction === true,
  }));
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(h))
    if (name.startsWith(MASKED)) masked[name.slice(MASKED.length)] = value;
  // Notes (a contradiction, a late answer) move nothing.
  const lastMove = history.filter((e) => e.event !== 'gateway_report').at(-1);
  const current: Insertable<PayoutTable> = {
    external_id: externalId,
    method: h.method ?? '',
    payment_system: h.payment_system ?? '',
    amount: h.amount ?? '0',
    currency: h.currency ?? '',
    customer_id: h.customer_id ?? '',
    country: h.country ?? '',
    status: h.status ?? '',
    order_id: h.order_id ?? null,
    gateway_status: h.gateway_status ? Number(h.gateway_status) : null,
    attempts: Number(h.attempts ?? 0),
    reason: h.reason ?? null,
    reason_code: h.reason_code ?? null,
    payment_data: JSON.stringify(masked),
    seq: Number(h.seq ?? 0),
    created_at: ms(h.created_at),
    updated_at: ms(h.updated_at),
    state_at: lastMove ? lastMove.at : ms(h.updated_at),
  };
  return { transitions, current };
}

export function createLedgerWriter(deps: {
  redis: Redis;
  queuePrefix: string;
  db: LedgerDb;
  logger: Logger;
  /** Rows written (inserted or found already there) and failed writes, for metrics. */
  onWrite?: (result: 'written' | 'failed', entries: number) => void;
}) {
  const keys = payoutKeys(deps.queuePrefix);
  const depositHistory = (id: string) => `${deps.queuePrefix}:deposit-history:${id}`;

  /** Reads what the entries name, in one MULTI so a record and its history agree. */
  async function read(entries: { raw: string; entry: LedgerOutboxEntry }[]): Promise<Group[]> {
    const groups = new Map<string, Group>();
    for (const { raw, entry } of entries) {
      const key = `${entry.kind}:${entry.external_id}`;
      const g = groups.get(key) ?? { key, raw: [], transitions: [], deposits: [] };
      g.raw.push(raw);
      groups.set(key, g);
    }
    const list = [...groups.values()];
    const multi = deps.redis.multi();
    for (const g of list) {
      const id = g.key.slice(g.key.indexOf(':') + 1);
      if (g.key.startsWith('payout:')) multi.hgetall(keys.record(id)).get(keys.history(id));
      else multi.lrange(depositHistory(id), 0, -1);
    }
    const res = (await multi.exec()) ?? [];
    const failed = res.find(([err]) => err);
    if (failed) throw failed[0];
    let i = 0;
    for (const g of list) {
      const id = g.key.slice(g.key.indexOf(':') + 1);
      if (g.key.startsWith('payout:')) {
        const h = res[i++]?.[1] as Record<string, string>;
        const raw = res[i++]?.[1] as string | null;
        // Absent: archived, which the archiver does only once the ledger holds every change.
        if (!h.status || !raw) continue;
        const rows = payoutRows(id, h, raw.split('\n').map(decodeEntry));
        g.transitions = rows.transitions;
        g.current = rows.current;
      } else {
        const lines = res[i++]?.[1] as string[];
        g.deposits = lines.map((line, n) => {
          const e = JSON.parse(line) as Record<string, unknown> & { at: string; from?: string; to: string };
          const { at, from, to, ...rest } = e;
          return {
            external_id: id,
            seq: n + 1,
            at,
            from_state: from || null,
            to_state: to,
            entry: JSON.stringify(rest),
          };
        });
      }
    }
    return list;
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

  async function settle(groups: Group[]): Promise<void> {
    const pipeline = deps.redis.pipeline();
    for (const g of groups) for (const raw of g.raw) pipeline.lrem(keys.ledgerOutbox, 1, raw);
    const res = (await pipeline.exec()) ?? [];
    const failed = res.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** Writes one batch of the outbox; returns how many entries it took. */
  async function writeOnce(): Promise<number> {
    const raws = await deps.redis.lrange(keys.ledgerOutbox, 0, BATCH - 1);
    if (raws.length === 0) return 0;
    const groups = await read(raws.map((raw) => ({ raw, entry: JSON.parse(raw) as LedgerOutboxEntry })));
    try {
      await write(groups);
    } catch (err) {
      if (!isRowError(err)) throw err;
      // One payout's rows refused: write the others, keep its entries to be tried again (and seen).
      const written: Group[] = [];
      for (const g of groups) {
        try {
          await write([g]);
          written.push(g);
        } catch (one) {
          deps.onWrite?.('failed', g.raw.length);
          deps.logger.error(
            {
              [g.key.split(':')[0] ?? 'payout']: g.key.slice(g.key.indexOf(':') + 1),
              err: { message: (one as Error).message },
            },
            'ledger: rows refused by the database; kept in the outbox and tried again',
          );
        }
      }
      await settle(written);
      deps.onWrite?.(
        'written',
        written.reduce((n, g) => n + g.raw.length, 0),
      );
      return written.length === 0 ? 0 : raws.length;
    }
    await settle(groups);
    deps.onWrite?.('written', raws.length);
    return raws.length;
  }

  const auditStream = auditKey(deps.queuePrefix);

  /**
   * Copies the audit log's next entries (a Redis stream, never trimmed) after the last one the ledger
   * holds; the stream id is the row's key, so two writers copying the same entries write them once.
   */
  async function writeAuditOnce(): Promise<number> {
    const last = await deps.db
      .selectFrom('audit_events')
      .select('stream_id')
      .orderBy('id_ms', 'desc')
      .orderBy('id_seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const raw = (await deps.redis.xrange(
      auditStream,
      last ? `(${last.stream_id}` : '-',
      '+',
      'COUNT',
      BATCH,
    )) as [string, string[]][];
    if (raw.length === 0) return 0;
    const rows = raw.map(([id, flat]) => {
      const e = decodeAuditEntry(id, flat);
      const [ms, seq] = id.split('-');
      return {
        stream_id: id,
        id_ms: ms ?? '0',
        id_seq: seq ?? '0',
        at: e.at,
        who: e.who,
        via: e.via,
        action: e.action,
        target: e.target,
        before: JSON.stringify(e.before ?? null),
        after: JSON.stringify(e.after ?? null),
        note: e.note ?? null,
      };
    });
    await deps.db
      .insertInto('audit_events')
      .values(rows)
      .onConflict((oc) => oc.column('stream_id').doNothing())
      .execute();
    return rows.length;
  }

  let running = false;
  let done: Promise<void> = Promise.resolve();
  return {
    writeOnce,
    writeAuditOnce,
    start() {
      running = true;
      done = (async () => {
        let delay = RETRY_BASE_MS;
        while (running) {
          try {
            const n = (await writeOnce()) + (await writeAuditOnce());
            delay = RETRY_BASE_MS;
            if (n === 0) await new Promise((r) => setTimeout(r, IDLE_MS));
          } catch (err) {
            deps.onWrite?.('failed', 0);
            deps.logger.warn(
              { err: { message: (err as Error).message }, retry_in_ms: delay },
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
