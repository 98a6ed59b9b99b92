import type { Redis } from 'ioredis';
import type pg from 'pg';
import { decodeEntry } from '../../src/payout/history.js';

/**
 * Every change in the Redis histories (payouts and deposits) against the ledger's rows: each must be
 * exactly one row, alike, and each payout's current row at its last seq. Lists are cut to their first 50.
 */
export async function compareLedger(redis: Redis, direct: pg.Client, queuePrefix: string) {
  const { expected, lastSeq, payouts } = await changesInRedis(redis, queuePrefix);
  const { found, currentSeq, rows } = await rowsInLedger(direct);
  const staleCurrent = [...lastSeq].filter(([id, seq]) => currentSeq.get(id) !== seq).map(([id]) => id);
  return {
    payouts,
    changes: expected.size,
    rows,
    missing: [...expected.keys()].filter((k) => !found.has(k)).slice(0, 50),
    extra: [...found.keys()].filter((k) => !expected.has(k)).slice(0, 50),
    mismatched: [...expected]
      .filter(([k, v]) => found.has(k) && found.get(k) !== v)
      .map(([k]) => k)
      .slice(0, 50),
    staleCurrent: staleCurrent.slice(0, 50),
  };
}

/** Each change as `kind|external_id|seq` -> what the ledger's row must say; each payout's last seq. */
async function changesInRedis(redis: Redis, queuePrefix: string) {
  const expected = new Map<string, string>();
  const lastSeq = new Map<string, number>();
  let payouts = 0;
  for (const [kind, match] of [
    ['payout', `${queuePrefix}:payout-history:*`],
    ['deposit', `${queuePrefix}:deposit-history:*`],
  ] as const) {
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
      cursor = next;
      for (const key of batch) {
        const id = key.slice(match.length - 1);
        if (kind === 'payout') {
          payouts++;
          const raw = (await redis.get(key)) ?? '';
          const entries = raw.split('\n').map(decodeEntry);
          for (const e of entries) expected.set(`payout|${id}|${e.seq}`, `${e.to}|${e.event}`);
          lastSeq.set(id, entries.at(-1)?.seq ?? 0);
        } else {
          const lines = await redis.lrange(key, 0, -1);
          for (const [i, line] of lines.entries())
            expected.set(`deposit|${id}|${i + 1}`, JSON.parse(line).to);
        }
      }
    } while (cursor !== '0');
  }
  return { expected, lastSeq, payouts };
}

/** The ledger's rows in the same form, and each payout's current seq. */
async function rowsInLedger(direct: pg.Client) {
  const found = new Map<string, string>();
  const transitions = await direct.query('select external_id, seq, to_state, event from payout_transitions');
  for (const r of transitions.rows) found.set(`payout|${r.external_id}|${r.seq}`, `${r.to_state}|${r.event}`);
  const deposits = await direct.query('select external_id, seq, to_state from deposit_transitions');
  for (const r of deposits.rows) found.set(`deposit|${r.external_id}|${r.seq}`, r.to_state);
  const currents = await direct.query('select external_id, seq from payouts');
  const currentSeq = new Map<string, number>(currents.rows.map((c) => [c.external_id, c.seq]));
  // The primary keys make a doubled row impossible to store: the count says so all the same.
  return { found, currentSeq, rows: transitions.rows.length + deposits.rows.length };
}
