import { Cluster, type Redis } from 'ioredis';
import { payoutKeys } from '../payout/keys.js';

/**
 * Moves the keys of a deployment written by a version that put the external_id first
 * (`payout:<id>:history`, `payout:<id>:payload`, `deposit:<id>:history`) to today's layout, where it
 * comes last (keys.ts). Run once, with every process of the old version stopped: each key moves by
 * RENAMENX, atomically, and one whose new name is taken is left where it is and reported.
 *
 * Under the old layout a key ending in `:history` or `:payload` is told apart from the record of a
 * payout whose external_id ends that way by its type: records are hashes, histories and payloads
 * strings, a deposit's history a list. A key of any other type is left and reported.
 */

export interface KeyMigration {
  moved: number;
  /** Old keys whose new name already existed: left in place, for an operator to look at. */
  conflicts: string[];
  /** Keys named like an old history or payload but of another type than a record's: left in place. */
  unexpected: string[];
}

const SCAN_COUNT = 1_000;

export async function migrateKeys(
  redis: Redis,
  queuePrefix: string,
  opts: { dryRun?: boolean } = {},
): Promise<KeyMigration> {
  const keys = payoutKeys(queuePrefix);
  const moves: [kind: string, suffix: string, type: string, to: (id: string) => string][] = [
    ['payout', ':history', 'string', keys.history],
    ['payout', ':payload', 'string', keys.payload],
    ['deposit', ':history', 'list', (id) => `${queuePrefix}:deposit-history:${id}`],
  ];
  // SCAN names no key, so on a Cluster it must ask each master itself; the moves themselves go
  // through the cluster client, which routes them to the slot every key of the deployment shares.
  const scanned: Redis[] = redis instanceof Cluster ? (redis as Cluster).nodes('master') : [redis];
  const out: KeyMigration = { moved: 0, conflicts: [], unexpected: [] };
  for (const [kind, suffix, type, to] of moves) {
    const start = `${queuePrefix}:${kind}:`;
    const found = new Set<string>(); // SCAN may return a key more than once
    for (const node of scanned) {
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(
          cursor,
          'MATCH',
          `${globSafe(start)}*${suffix}`,
          'COUNT',
          SCAN_COUNT,
        );
        cursor = next;
        for (const key of batch) found.add(key);
      } while (cursor !== '0');
    }
    for (const key of found) {
      const actual = await redis.type(key);
      if (actual !== type) {
        if (actual !== 'hash' && actual !== 'none') out.unexpected.push(key);
        continue;
      }
      const target = to(key.slice(start.length, -suffix.length));
      const moved = opts.dryRun
        ? (await redis.exists(target)) === 0
        : (await redis.renamenx(key, target)) === 1;
      if (moved) out.moved++;
      else out.conflicts.push(key);
    }
  }
  return out;
}

/** A literal for SCAN's MATCH: the prefix may hold characters that are special there. */
const globSafe = (literal: string) => literal.replace(/[*?[\]\\]/g, '\\$&');
