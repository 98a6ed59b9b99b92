import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { payoutKeys } from '../payout/keys.js';
import { runScript } from '../redis.js';
import { MOVE, NOTE, START } from './scripts.js';
import { DEPOSIT_TRANSITIONS, type DepositState } from './states.js';
import { type DepositView, depositView } from './view.js';

/**
 * A deposit's record (a hash) and its history (a list), written only by the two scripts of
 * scripts.ts, so a move and its history entry (and, with the ledger on, its outbox entry) are one
 * atomic step.
 */

export type { DepositView } from './view.js';

/** Where a deposit's record and history are, and what writes them. */
interface RecordsContext {
  redis: Redis;
  logger: Logger;
  recordKey: (id: string) => string;
  historyKey: (id: string) => string;
  /** A payout's record and tombstone under the same external_id: a new deposit may have neither. */
  payoutKeys: (id: string) => string[];
  /** The ledger's outbox as the scripts' last key, or no key at all without a ledger. */
  ledgerKeys: string[];
}

export function createDepositRecords(deps: {
  redis: Redis;
  queuePrefix: string;
  logger: Logger;
  /** Whether changes go to the ledger's outbox (LEDGER_DATABASE_URL set). */
  ledger?: boolean;
}) {
  const keys = payoutKeys(deps.queuePrefix);
  const context: RecordsContext = {
    redis: deps.redis,
    logger: deps.logger,
    // The id last, as for payouts (payout/keys.ts): no deposit's id can name another deposit's key.
    recordKey: keys.deposit,
    historyKey: keys.depositHistory,
    payoutKeys: (id) => [keys.record(id), keys.tombstone(id)],
    ledgerKeys: deps.ledger ? [keys.ledgerOutbox] : [],
  };

  /** The record's raw fields (empty when there is no such deposit). */
  const fields = (id: string) => deps.redis.hgetall(context.recordKey(id));

  return {
    /**
     * Moves the deposit to `sending`, as `move` does, unless it is new and the external_id names a
     * payout (live or archived): then nothing is written and `heldByPayout` is set.
     */
    start: (id: string, entry: Record<string, unknown>, fields: Record<string, string>) =>
      move(context, id, 'sending', entry, fields, true),
    move: (
      id: string,
      to: DepositState,
      entry: Record<string, unknown>,
      fields: Record<string, string> = {},
    ) => move(context, id, to, entry, fields),
    note: (id: string, entry: Record<string, unknown>, now: number) => note(context, id, entry, now),
    fields,
    /** The request digest stored with the deposit, or null for a new one. */
    digest: (id: string) => deps.redis.hget(context.recordKey(id), 'digest'),
    get: async (id: string): Promise<DepositView | undefined> => depositView(id, await fields(id)),
    /** The deposit as the API shows it, and the reason its record keeps (an unknown outcome's), if any. */
    read: async (id: string): Promise<{ view: DepositView; reason: string | undefined } | undefined> => {
      const h = await fields(id);
      const view = depositView(id, h);
      return view && { view, reason: h.reason };
    },
  };
}

export type DepositRecords = ReturnType<typeof createDepositRecords>;

/** Moves the deposit to `to` if the table allows it from its current state, with its history entry. */
async function move(
  context: RecordsContext,
  id: string,
  to: DepositState,
  entry: Record<string, unknown>,
  fields: Record<string, string>,
  start = false,
): Promise<{ ok: boolean; current: DepositState | undefined; heldByPayout?: true }> {
  const { ledgerKeys } = context;
  const allowed = `,${DEPOSIT_TRANSITIONS[to].join(',')},`;
  const now = Date.now();
  const guard = start ? context.payoutKeys(id) : [];
  const res = (await runScript(
    context.redis,
    start ? START : MOVE,
    2 + guard.length + ledgerKeys.length,
    context.recordKey(id),
    context.historyKey(id),
    ...guard,
    ...ledgerKeys,
    allowed,
    to,
    String(now),
    JSON.stringify({ at: new Date(now).toISOString(), ...entry }),
    id,
    ...Object.entries(fields).flat(),
  )) as [number, string];
  if (res[0] === -1) return { ok: false, current: undefined, heldByPayout: true };
  if (res[0] === 1)
    context.logger.info(
      { external_id: id, from: res[1] || null, to, kind: 'deposit' },
      `deposit ${res[1] || 'new'} -> ${to}`,
    );
  return { ok: res[0] === 1, current: (res[1] || undefined) as DepositState | undefined };
}

/** Appends a history entry that moves nothing (a contradiction), with its outbox entry. */
async function note(context: RecordsContext, id: string, entry: Record<string, unknown>, now: number) {
  await runScript(
    context.redis,
    NOTE,
    1 + context.ledgerKeys.length,
    context.historyKey(id),
    ...context.ledgerKeys,
    JSON.stringify({ at: new Date(now).toISOString(), ...entry }),
    id,
    String(now),
  );
}
