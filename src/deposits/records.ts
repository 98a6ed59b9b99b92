import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { payoutKeys } from '../payout/keys.js';
import { runScript } from '../redis.js';
import { DEPOSIT_TRANSITIONS, type DepositState } from './states.js';

/**
 * A deposit's record (a hash) and its history (a list), written only by the two scripts below, so a
 * move and its history entry (and, with the ledger on, its outbox entry) are one atomic step.
 */

/**
 * Pushes the entry just appended (its seq: the history's new length) to the ledger's outbox, named as
 * the script's last key only when the ledger is on.
 */
const PUSH_LEDGER = `
local function push_ledger(ledger_key, id, seq, at)
  if ledger_key then
    redis.call('RPUSH', ledger_key, cjson.encode({kind = 'deposit', external_id = id, seq = seq, at = tonumber(at)}))
  end
end
`;

/**
 * KEYS: record, history[, ledger outbox]. ARGV: allowed (',a,b,'; ',,' allows absent), to, now, entry
 * JSON, external_id, pairs...
 */
const MOVE = `${PUSH_LEDGER}
local cur = redis.call('HGET', KEYS[1], 'status') or ''
if not string.find(ARGV[1], ',' .. cur .. ',', 1, true) then return {0, cur} end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updated_at', ARGV[3])
if cur == '' then redis.call('HSET', KEYS[1], 'created_at', ARGV[3]) end
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local entry = cjson.decode(ARGV[4])
entry['from'] = cur
entry['to'] = ARGV[2]
push_ledger(KEYS[3], ARGV[5], redis.call('RPUSH', KEYS[2], cjson.encode(entry)), ARGV[3])
return {1, cur}
`;

/** Appends a history entry without a move (a contradiction). KEYS: history[, ledger outbox]. ARGV: entry JSON, external_id, now. */
const NOTE = `${PUSH_LEDGER}
push_ledger(KEYS[2], ARGV[2], redis.call('RPUSH', KEYS[1], ARGV[1]), ARGV[3])
`;

export interface DepositView {
  external_id: string;
  method: string;
  status: DepositState;
  gateway_status: number | null;
  order_id: string | null;
  redirect: string | null;
  amount: number;
  currency: string;
  payment_data: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export function createDepositRecords(deps: {
  redis: Redis;
  queuePrefix: string;
  logger: Logger;
  /** Whether changes go to the ledger's outbox (LEDGER_DATABASE_URL set). */
  ledger?: boolean;
}) {
  const base = deps.queuePrefix;
  const recordKey = (id: string) => `${base}:deposit:${id}`;
  // The id last, as for payouts (payout/keys.ts): no deposit's id can name another deposit's key.
  const historyKey = (id: string) => `${base}:deposit-history:${id}`;
  /** The ledger's outbox as the scripts' last key, or no key at all without a ledger. */
  const ledgerKeys = deps.ledger ? [payoutKeys(base).ledgerOutbox] : [];

  /** Moves the deposit to `to` if the table allows it from its current state, with its history entry. */
  async function move(
    id: string,
    to: DepositState,
    entry: Record<string, unknown>,
    fields: Record<string, string> = {},
  ): Promise<{ ok: boolean; current: DepositState | undefined }> {
    const allowed = `,${DEPOSIT_TRANSITIONS[to].join(',')},`;
    const now = Date.now();
    const res = (await runScript(
      deps.redis,
      MOVE,
      2 + ledgerKeys.length,
      recordKey(id),
      historyKey(id),
      ...ledgerKeys,
      allowed,
      to,
      String(now),
      JSON.stringify({ at: new Date(now).toISOString(), ...entry }),
      id,
      ...Object.entries(fields).flat(),
    )) as [number, string];
    if (res[0] === 1)
      deps.logger.info(
        { external_id: id, from: res[1] || null, to, kind: 'deposit' },
        `deposit ${res[1] || 'new'} -> ${to}`,
      );
    return { ok: res[0] === 1, current: (res[1] || undefined) as DepositState | undefined };
  }

  /** Appends a history entry that moves nothing (a contradiction), with its outbox entry. */
  async function note(id: string, entry: Record<string, unknown>, now: number): Promise<void> {
    await runScript(
      deps.redis,
      NOTE,
      1 + ledgerKeys.length,
      historyKey(id),
      ...ledgerKeys,
      JSON.stringify({ at: new Date(now).toISOString(), ...entry }),
      id,
      String(now),
    );
  }

  /** The record's raw fields (empty when there is no such deposit). */
  const fields = (id: string) => deps.redis.hgetall(recordKey(id));

  /** The request digest stored with the deposit, or null for a new one. */
  const digest = (id: string) => deps.redis.hget(recordKey(id), 'digest');

  async function get(id: string): Promise<DepositView | undefined> {
    const h = await fields(id);
    if (!h.status) return undefined;
    return {
      external_id: id,
      method: h.method ?? '',
      status: h.status as DepositState,
      gateway_status: h.gateway_status ? Number(h.gateway_status) : null,
      order_id: h.order_id ?? null,
      redirect: h.redirect ?? null,
      amount: Number(h.amount),
      currency: h.currency ?? '',
      payment_data: JSON.parse(h.masked ?? '{}') as Record<string, string>,
      created_at: new Date(Number(h.created_at)).toISOString(),
      updated_at: new Date(Number(h.updated_at)).toISOString(),
    };
  }

  return { move, note, fields, digest, get };
}

export type DepositRecords = ReturnType<typeof createDepositRecords>;
